package plate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/jpeg"
	"sync"
	"testing"

	qrcode "github.com/skip2/go-qrcode"
)

// qrJPEG makes a code image the way WeChat answers getwxacodeunlimit: a
// JPEG, here a plain QR code of the scene.
func qrJPEG(t testing.TB, scene string, px int) []byte {
	t.Helper()
	q, err := qrcode.New(scene, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, q.Image(px), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withComment returns a copy of a JPEG with a COM segment after SOI, padded
// so that the file is about size bytes: a distinct, valid JPEG each time.
func withComment(base []byte, id int, size int) []byte {
	fill := max(size-len(base)-4, 16)
	fill = min(fill, 65533-2)
	out := make([]byte, 0, len(base)+4+fill)
	out = append(out, base[:2]...) // SOI
	out = append(out, 0xFF, 0xFE)
	out = binary.BigEndian.AppendUint16(out, uint16(fill+2))
	seg := make([]byte, fill)
	x := uint32(id)*2654435761 + 1
	for i := range seg {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		seg[i] = byte(x)
	}
	copy(seg, fmt.Sprintf("plate %d ", id))
	out = append(out, seg...)
	return append(out, base[2:]...)
}

var addresses = []string{
	"浙江省宁波市余姚市阳明街道某某路12号",
	"浙江省宁波市余姚市凤山街道新建北路88弄3幢2单元",
	"浙江省宁波市余姚市梨洲街道城东新村B-1203",
	"浙江省宁波市余姚市兰江街道丰乐路7号附近出租楼东侧第二栋",
}

var (
	rendererOnce sync.Once
	testRenderer *Renderer
	rendererErr  error
)

func defaultRenderer(t testing.TB) *Renderer {
	t.Helper()
	rendererOnce.Do(func() {
		font, err := DefaultFont()
		if err != nil {
			rendererErr = err
			return
		}
		testRenderer, rendererErr = NewRenderer(font)
	})
	if rendererErr != nil {
		t.Fatal(rendererErr)
	}
	return testRenderer
}

// samplePlates returns n plates with distinct numbers and scenes, each with
// a QR JPEG of its scene.
func samplePlates(t testing.TB, n int) []Plate {
	t.Helper()
	ps := make([]Plate, n)
	for i := range ps {
		scene := fmt.Sprintf("u%02dK7q9ZfX2mWpA4sT", i)
		ps[i] = Plate{
			Number:       fmt.Sprintf("330281-000123-%04d", 101+i),
			Address:      addresses[i%len(addresses)],
			RoomNo:       fmt.Sprintf("%d室", 101+i),
			LandlordName: []string{"张建国", "李秀英", "王芳", "欧阳明华"}[i%4],
			Scene:        scene,
			Code:         qrJPEG(t, scene, 280),
		}
	}
	return ps
}

// from feeds plates to Render one at a time.
func from(ps []Plate) func() (Plate, bool, error) {
	i := 0
	return func() (Plate, bool, error) {
		if i == len(ps) {
			return Plate{}, false, nil
		}
		i++
		return ps[i-1], true, nil
	}
}

func render(t testing.TB, ps []Plate) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := defaultRenderer(t).Render(&b, from(ps)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
