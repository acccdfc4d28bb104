package wechat

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

func TestWXACode_JPEGDecodesToScene(t *testing.T) {
	e := newEnv(t)
	for _, scene := range []string{
		"u7Kq2mZp9XwR4tYb",
		"a",
		"!#$&'()*+,/:;=?@-._~0123456789Ab", // every allowed symbol, 32 characters
	} {
		img, contentType, err := e.client.WXACode(context.Background(), scene)
		if err != nil {
			t.Fatalf("scene %q: %v", scene, err)
		}
		if contentType != "image/jpeg" {
			t.Fatalf("content type %q", contentType)
		}
		if got := decodeQR(t, img); got != scene {
			t.Fatalf("decoded %q, want %q", got, scene)
		}
	}
}

func TestWXACode_InvalidSceneIsRefused(t *testing.T) {
	e := newEnv(t)
	for _, scene := range []string{"", "has space", "百家", "%41", "123456789012345678901234567890123"} {
		_, _, err := e.client.WXACode(context.Background(), scene)
		var api *APIError
		if !errors.As(err, &api) || api.Code != 40129 {
			t.Errorf("scene %q: got %v, want errcode 40129", scene, err)
		}
	}
}

func decodeQR(t *testing.T, jpg []byte) string {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatalf("not a JPEG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code in the image: %v", err)
	}
	return res.GetText()
}
