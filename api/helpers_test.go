package api_test

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"yaoju/app/apptest"
)

// areaID finds a demo area's id by its name.
func areaID(t *testing.T, e *apptest.Env, name string) uint64 {
	t.Helper()
	var tree []node
	e.Must(200, "GET", "/api/v1/areas", nil, "").Data(t, &tree)
	var find func([]node) uint64
	find = func(ns []node) uint64 {
		for _, n := range ns {
			if n.Name == name {
				return n.ID
			}
			if id := find(n.Children); id != 0 {
				return id
			}
		}
		return 0
	}
	id := find(tree)
	if id == 0 {
		t.Fatalf("no area %q", name)
	}
	return id
}

type node struct {
	ID       uint64 `json:"id"`
	Name     string `json:"name"`
	Level    string `json:"level"`
	Children []node `json:"children"`
}

type unitJSON struct {
	ID              uint64 `json:"id"`
	RoomNo          string `json:"room_no"`
	Capacity        int    `json:"capacity"`
	Scene           string `json:"scene"`
	ActiveResidents int    `json:"active_residents"`
}

// fixture is a landlord's approved house with units in community 舜水社区.
type fixture struct {
	landlord string
	houseID  uint64
	units    []unitJSON
}

// approvedHouse registers a house with n units as a landlord and approves
// it as admin.
func approvedHouse(t *testing.T, e *apptest.Env, landlordName, community string, n, capacity int) fixture {
	t.Helper()
	landlord := e.WxLogin(landlordName)
	var h struct{ ID uint64 }
	e.Must(201, "POST", "/api/v1/landlord/houses", map[string]any{
		"address": "余姚市阳明街道" + landlordName + "路" + fmt.Sprint(n) + "号", "area_id": areaID(t, e, community), "landlord_name": "李" + landlordName,
	}, landlord).Data(t, &h)
	f := fixture{landlord: landlord, houseID: h.ID}
	for i := 1; i <= n; i++ {
		var u unitJSON
		e.Must(201, "POST", fmt.Sprintf("/api/v1/landlord/houses/%d/units", h.ID),
			map[string]any{"room_no": fmt.Sprintf("%d0%d", 1+i/10, i%10), "capacity": capacity}, landlord).Data(t, &u)
		f.units = append(f.units, u)
	}
	e.Must(200, "POST", fmt.Sprintf("/api/v1/console/houses/%d/approve", h.ID), nil, e.ConsoleLogin("admin"))
	return f
}

func decodeQR(t *testing.T, img []byte) string {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("decode image: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code in the image: %v", err)
	}
	return res.GetText()
}

// pdfText extracts the text of every page.
func pdfText(t *testing.T, b []byte) (pages int, text string) {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open PDF: %v", err)
	}
	var sb strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		s, err := r.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		sb.WriteString(s)
	}
	return r.NumPage(), sb.String()
}
