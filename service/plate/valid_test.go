package plate

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestRender_XrefOffsetsPointAtEveryObject(t *testing.T) {
	raw := parseRaw(t, render(t, samplePlates(t, 20)))
	var pages, images, fonts int
	for _, o := range raw.objects(t) { // fails on any offset that is off
		switch {
		case strings.Contains(o.dict, "/Type /Page "):
			pages++
		case strings.Contains(o.dict, "/Subtype /Image"):
			images++
		case strings.Contains(o.dict, "/Subtype /Type0"):
			fonts++
		}
	}
	if pages != 3 || images != 20 || fonts != 2 {
		t.Errorf("pages, images, fonts = %d, %d, %d; want 3, 20, 2", pages, images, fonts)
	}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plates.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s not installed (apt-get install -y qpdf poppler-utils)", tool)
	}
}

func TestRender_QpdfCheckFindsNoErrors(t *testing.T) {
	need(t, "qpdf")
	path := writeTemp(t, render(t, samplePlates(t, 20)))
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	if strings.Contains(strings.ToLower(string(out)), "warning") {
		t.Fatalf("qpdf warns:\n%s", out)
	}
}

func TestRender_PopplerReadsPagesSubsetFontsAndChineseText(t *testing.T) {
	need(t, "pdfinfo")
	ps := samplePlates(t, 20)
	path := writeTemp(t, render(t, ps))

	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^Pages:\s+3$`).Match(out) || !strings.Contains(string(out), "(A4)") {
		t.Errorf("pdfinfo does not see 3 A4 pages:\n%s", out)
	}
	if strings.Contains(string(out), "Syntax Error") {
		t.Errorf("pdfinfo reports errors:\n%s", out)
	}

	out, err = exec.Command("pdffonts", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdffonts: %v\n%s", err, out)
	}
	// Each font: CID TrueType, Identity-H, embedded, subset, with ToUnicode.
	re := regexp.MustCompile(`(?m)^[A-Z]{6}\+\S+\s+CID TrueType\s+Identity-H\s+yes yes yes`)
	if n := len(re.FindAll(out, -1)); n != 2 {
		t.Errorf("pdffonts: %d embedded subset CID fonts with ToUnicode, want 2:\n%s", n, out)
	}

	out, err = exec.Command("pdftotext", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := strings.ReplaceAll(string(out), "\n", "")
	for _, want := range []string{"居住登记 一户一码", "阳明街道", "房号 101室", ps[19].Scene, footerText} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
}
