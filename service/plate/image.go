package plate

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// ErrBadCode: a plate's code image is missing or is neither JPEG nor PNG.
var ErrBadCode = errors.New("plate: code image is not a usable JPEG or PNG")

// CodeError says which plate's code image could not be used.
type CodeError struct {
	Number string
	Err    error
}

func (e *CodeError) Error() string {
	return fmt.Sprintf("plate %s: code image: %v", e.Number, e.Err)
}

func (e *CodeError) Unwrap() []error { return []error{ErrBadCode, e.Err} }

// A WeChat code is at most 1280 px square; anything far larger is a
// mistake, and decoding it (a PNG) would cost memory for nothing.
const maxCodePixels = 2048

type codeImage struct {
	w, h int
}

// writeCode writes a plate's code image as an image XObject. A JPEG goes in
// as it is (DCTDecode), so it costs no decoding; a PNG is decoded and
// written as Flate-compressed RGB or gray, with transparency laid on white.
func writeCode(w *pdfWriter, num int, data []byte) (codeImage, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return codeImage{}, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxCodePixels || cfg.Height > maxCodePixels {
		return codeImage{}, fmt.Errorf("%d×%d pixels is out of range", cfg.Width, cfg.Height)
	}
	if format == "jpeg" && !bytes.Contains(data[max(0, len(data)-64):], []byte{0xFF, 0xD9}) {
		// JPEGs go in undecoded, so check at least that one is whole.
		return codeImage{}, errors.New("JPEG has no end-of-image marker: truncated")
	}
	ci := codeImage{cfg.Width, cfg.Height}
	const common = "/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /%s /BitsPerComponent 8"
	switch {
	case format == "jpeg" && cfg.ColorModel == color.GrayModel:
		w.stream(num, fmt.Sprintf(common+" /Filter /DCTDecode", ci.w, ci.h, "DeviceGray"), data)
		return ci, nil
	case format == "jpeg" && cfg.ColorModel == color.YCbCrModel:
		w.stream(num, fmt.Sprintf(common+" /Filter /DCTDecode", ci.w, ci.h, "DeviceRGB"), data)
		return ci, nil
	case format == "jpeg" || format == "png":
		// CMYK JPEGs (Adobe's inverted ones need a /Decode array) and PNGs
		// are decoded and written as pixels.
		var img image.Image
		if format == "jpeg" {
			img, err = jpeg.Decode(bytes.NewReader(data))
		} else {
			img, err = png.Decode(bytes.NewReader(data))
		}
		if err != nil {
			return codeImage{}, err
		}
		pix, space := pixels(img)
		w.flateStream(num, fmt.Sprintf(common, ci.w, ci.h, space), pix)
		return ci, nil
	default:
		return codeImage{}, fmt.Errorf("format %q", format)
	}
}

// pixels returns the image's samples row by row, over a white background.
func pixels(img image.Image) ([]byte, string) {
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok {
		pix := make([]byte, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			i := g.PixOffset(b.Min.X, y)
			pix = append(pix, g.Pix[i:i+b.Dx()]...)
		}
		return pix, "DeviceGray"
	}
	pix := make([]byte, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA() // premultiplied, 16-bit
			white := 0xffff - a
			pix = append(pix, byte((r+white)>>8), byte((g+white)>>8), byte((bl+white)>>8))
		}
	}
	return pix, "DeviceRGB"
}
