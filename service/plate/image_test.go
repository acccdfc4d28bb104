package plate

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// imageObjects returns each embedded image decoded to pixels, in plate order.
func imageObjects(t *testing.T, b []byte) ([]image.Image, []string) {
	t.Helper()
	raw := parseRaw(t, b)
	num := func(dict, key string) int {
		m := regexp.MustCompile(`/` + key + ` (\d+)`).FindStringSubmatch(dict)
		if m == nil {
			t.Fatalf("no /%s in %s", key, dict)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	var imgs []image.Image
	var dicts []string
	for _, o := range raw.objects(t) {
		if !strings.Contains(o.dict, "/Subtype /Image") {
			continue
		}
		dicts = append(dicts, o.dict)
		if strings.Contains(o.dict, "/DCTDecode") {
			img, err := jpeg.Decode(bytes.NewReader(o.data))
			if err != nil {
				t.Fatal(err)
			}
			imgs = append(imgs, img)
			continue
		}
		w, h := num(o.dict, "Width"), num(o.dict, "Height")
		pix := inflate(t, o.data)
		switch {
		case strings.Contains(o.dict, "/DeviceRGB") && len(pix) == 3*w*h:
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			for i := 0; i < w*h; i++ {
				img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = pix[3*i], pix[3*i+1], pix[3*i+2], 255
			}
			imgs = append(imgs, img)
		case strings.Contains(o.dict, "/DeviceGray") && len(pix) == w*h:
			imgs = append(imgs, &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)})
		default:
			t.Fatalf("image of %d bytes does not match %s", len(pix), o.dict)
		}
	}
	return imgs, dicts
}

func renderOne(t *testing.T, code []byte) ([]image.Image, []string) {
	t.Helper()
	p := samplePlates(t, 1)[0]
	p.Code = code
	return imageObjects(t, render(t, []Plate{p}))
}

// WeChat answers a PNG with a transparent background when asked for
// is_hyaline; printed on paper, transparent must come out white.
func TestRender_TransparentPNGCodeIsLaidOnWhiteAndScans(t *testing.T) {
	q, _ := qrcode.New("pngScene123", qrcode.Medium)
	src := q.Image(240)
	img := image.NewNRGBA(src.Bounds())
	draw.Draw(img, img.Bounds(), src, image.Point{}, draw.Src)
	for i := 3; i < len(img.Pix); i += 4 {
		if img.Pix[i-1] == 255 { // white module: make it transparent
			img.Pix[i-3], img.Pix[i-2], img.Pix[i-1], img.Pix[i] = 0, 0, 0, 0
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	imgs, dicts := renderOne(t, b.Bytes())
	if !strings.Contains(dicts[0], "/FlateDecode") || !strings.Contains(dicts[0], "/DeviceRGB") {
		t.Fatalf("PNG not embedded as Flate RGB: %s", dicts[0])
	}
	if r, g, bl, _ := imgs[0].At(0, 0).RGBA(); r>>8 != 255 || g>>8 != 255 || bl>>8 != 255 {
		t.Errorf("transparent corner printed as %d,%d,%d, want white", r>>8, g>>8, bl>>8)
	}
	if s, err := scanQR(imgs[0]); err != nil || s != "pngScene123" {
		t.Errorf("scan = %q, %v", s, err)
	}
}

func TestRender_GrayJPEGCodeIsEmbeddedAsGray(t *testing.T) {
	q, _ := qrcode.New("graySceneXYZ", qrcode.Medium)
	src := q.Image(256)
	gray := image.NewGray(src.Bounds())
	draw.Draw(gray, gray.Bounds(), src, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, gray, nil); err != nil {
		t.Fatal(err)
	}
	imgs, dicts := renderOne(t, b.Bytes())
	if !strings.Contains(dicts[0], "/DeviceGray") || !strings.Contains(dicts[0], "/DCTDecode") {
		t.Fatalf("gray JPEG not embedded as DCT gray: %s", dicts[0])
	}
	if s, err := scanQR(imgs[0]); err != nil || s != "graySceneXYZ" {
		t.Errorf("scan = %q, %v", s, err)
	}
}

func TestRender_UnusableCodeImageNamesThePlate(t *testing.T) {
	for name, code := range map[string][]byte{
		"empty":       nil,
		"not image":   []byte("<xml>errcode 40001</xml>"),
		"header only": qrJPEG(t, "x", 100)[:200],
		// A download cut short: the header decodes, the data would not.
		"truncated": func() []byte { j := qrJPEG(t, "x", 280); return j[:len(j)*6/10] }(),
	} {
		t.Run(name, func(t *testing.T) {
			ps := samplePlates(t, 3)
			ps[1].Code = code
			var out bytes.Buffer
			err := defaultRenderer(t).Render(&out, from(ps))
			var ce *CodeError
			if !errors.As(err, &ce) || ce.Number != ps[1].Number || !errors.Is(err, ErrBadCode) {
				t.Fatalf("err = %v; want a CodeError for plate %s", err, ps[1].Number)
			}
		})
	}
}
