package plate

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// pageTexts reads every page's text with ledongthuc/pdf, which decodes
// Identity-H strings through the font's /ToUnicode CMap.
func pageTexts(t *testing.T, b []byte) []string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("ledongthuc/pdf cannot open the PDF: %v", err)
	}
	var out []string
	for i := 1; i <= r.NumPage(); i++ {
		s, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		out = append(out, s)
	}
	return out
}

func scanQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func TestRender_TwentyPlatesReadBackAsThreePagesWithTheirText(t *testing.T) {
	ps := samplePlates(t, 20)
	texts := pageTexts(t, render(t, ps))
	if len(texts) != 3 {
		t.Fatalf("pages = %d, want 3", len(texts))
	}
	all := ""
	for i, want := range []int{8, 8, 4} {
		if got := strings.Count(texts[i], titleText); got != want {
			t.Errorf("page %d: %d plate titles, want %d", i+1, got, want)
		}
		if got := strings.Count(texts[i], footerText); got != want {
			t.Errorf("page %d: %d footers, want %d", i+1, got, want)
		}
		all += texts[i]
	}
	// An address may wrap over lines; each line is its own text object.
	flat := strings.ReplaceAll(all, "\n", "")
	for _, p := range ps {
		for _, want := range []string{p.Address, "房号 " + p.RoomNo, "房东 " + p.LandlordName, "编号 " + p.Number} {
			if !strings.Contains(flat, want) {
				t.Errorf("plate %s: %q not found in the text", p.Number, want)
			}
		}
		if !strings.Contains(all, "\n"+p.Scene) {
			t.Errorf("plate %s: scene %q not found", p.Number, p.Scene)
		}
	}
	if !strings.Contains(flat, "浙江省宁波市余姚市阳明街道某某路12号") {
		t.Error("the Chinese address is not in the text")
	}
}

func TestRender_EmbeddedCodeImagesDecodeToTheirScenes(t *testing.T) {
	ps := samplePlates(t, 20)
	raw := parseRaw(t, render(t, ps))
	var scenes []string
	for _, o := range raw.objects(t) {
		if !strings.Contains(o.dict, "/Subtype /Image") {
			continue
		}
		if !strings.Contains(o.dict, "/Filter /DCTDecode") {
			t.Fatalf("a JPEG code was not embedded as DCTDecode: %s", o.dict)
		}
		img, err := jpeg.Decode(bytes.NewReader(o.data))
		if err != nil {
			t.Fatal(err)
		}
		s, err := scanQR(img)
		if err != nil {
			t.Fatalf("image object %d: %v", o.num, err)
		}
		scenes = append(scenes, s)
	}
	if len(scenes) != len(ps) {
		t.Fatalf("%d images, want %d", len(scenes), len(ps))
	}
	for i, p := range ps {
		if scenes[i] != p.Scene {
			t.Errorf("image %d decodes to %q, want %q", i, scenes[i], p.Scene)
		}
	}
}

// The code as printed, not just as embedded: rasterise page 1 with
// poppler and scan each plate's code where the layout puts it.
func TestRender_PrintedCodesScanBackToTheirScenes(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
	}
	ps := samplePlates(t, 8)
	dir := t.TempDir()
	in := filepath.Join(dir, "p.pdf")
	if err := os.WriteFile(in, render(t, ps), 0o644); err != nil {
		t.Fatal(err)
	}
	const dpi = 150
	if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "p.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	px := func(pt float64) int { return int(pt * dpi / 72) }
	for slot, p := range ps {
		x := margin + float64(slot%cols)*(plateW+gutter) + pad
		y := margin + float64(slot/cols)*(plateH+gutter) + codeTop
		r := image.Rect(px(x-4), px(y-4), px(x+codeSize+4), px(y+codeSize+4))
		code := page.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r)
		got, err := scanQR(code)
		if err != nil {
			t.Errorf("slot %d: no code where the layout puts it: %v", slot, err)
			continue
		}
		if got != p.Scene {
			t.Errorf("slot %d scans as %q, want %q", slot, got, p.Scene)
		}
	}
}

// A name with a character outside the BMP, or one the fonts lack, still
// prints (as a box if need be) and still reads back as itself.
func TestRender_RareCharactersReadBackThroughToUnicode(t *testing.T) {
	ps := samplePlates(t, 1)
	ps[0].LandlordName = "𠮷田 堃"
	text := strings.Join(pageTexts(t, render(t, ps)), "")
	if !strings.Contains(text, "房东 𠮷田 堃") {
		t.Errorf("landlord not read back: %q", text)
	}
}
