package api_test

import (
	"testing"

	"yaoju/app/apptest"
)

// FuzzDeclarationBody posts arbitrary bodies to the declaration endpoint:
// every answer is a clean 2xx or 4xx, never a 500 or a panic.
func FuzzDeclarationBody(f *testing.F) {
	e := apptest.New(f)
	token := e.WxLogin("fuzz")
	f.Add(`{"scene":"AAAAAAAAAAAAAAAA","name":"张三","id_number":"11010519491231002X","phone":"13812345678","move_in_date":"2026-12-01"}`)
	f.Add(`{"name":["x"],"id_number":{},"phone":1e999}`)
	f.Add(`{"scene":null}`)
	f.Add(`[]`)
	f.Add(`"`)
	f.Fuzz(func(t *testing.T, body string) {
		r := e.For(t).Do("POST", "/api/v1/declarations", body, token)
		if r.Status >= 500 || r.Status < 200 {
			t.Fatalf("status %d for %q: %s", r.Status, body, r.Body)
		}
		if r.Status >= 400 && (r.Reason == "" || r.Msg == "") {
			t.Fatalf("error without reason for %q: %s", body, r.Body)
		}
	})
}
