package sms

import "testing"

// The example request of Tencent Cloud's "Signature v3" document: CVM
// DescribeInstances, POSTed at 1551113065 (2019-02-26 00:44:25 in Beijing,
// which is 2019-02-25 in UTC, the date the scope must carry).
const docBody = `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`

func TestTC3_MatchesTencentDocumentExamples(t *testing.T) {
	cases := []struct {
		name     string
		id, key  string
		headers  map[string]string
		wantAuth string
	}{
		{
			// International site, every language: keys ending in EXAMPLE,
			// content-type and host signed. Body hash 35e9c5b0..., canonical
			// request hash 5ffe6a04... in the document.
			name: "international page, EXAMPLE keys",
			id:   "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
			key:  "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
			headers: map[string]string{
				"content-type": "application/json; charset=utf-8",
				"host":         "cvm.tencentcloudapi.com",
			},
			wantAuth: "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, " +
				"SignedHeaders=content-type;host, " +
				"Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
		},
		{
			// Chinese page (签名方法 v3): the keys are shown with seven
			// asterisks, and the published signature is computed with exactly
			// those characters as the key. It also signs x-tc-action, with
			// the value lowercased (canonical request hash 7019a55b...).
			name: "Chinese page, asterisked keys, action signed",
			id:   "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
			key:  "Gu5t9xGARNpq86cd98joQYCN3*******",
			headers: map[string]string{
				"Content-Type": "application/json; charset=utf-8",
				"Host":         "cvm.tencentcloudapi.com",
				"X-TC-Action":  "DescribeInstances",
			},
			wantAuth: "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, " +
				"SignedHeaders=content-type;host;x-tc-action, " +
				"Signature=be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc3Authorization(tc3Request{
				SecretID: tc.id, SecretKey: tc.key, Service: "cvm",
				Timestamp: 1551113065, Headers: tc.headers, Body: []byte(docBody),
			})
			if got != tc.wantAuth {
				t.Errorf("Authorization\n got %s\nwant %s", got, tc.wantAuth)
			}
		})
	}
}

func TestTC3_BodyHashMatchesDocument(t *testing.T) {
	const want = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
	if got := sha256Hex([]byte(docBody)); got != want {
		t.Errorf("sha256(body) = %s, want %s", got, want)
	}
}

func TestTC3_AnyChangeChangesTheSignature(t *testing.T) {
	base := tc3Request{
		SecretID: "id", SecretKey: "key", Service: "sms", Timestamp: 1551113065,
		Headers: map[string]string{"content-type": "application/json", "host": "sms.tencentcloudapi.com"},
		Body:    []byte(`{"a":1}`),
	}
	want := tc3Authorization(base)
	changes := map[string]func(r *tc3Request){
		"key":       func(r *tc3Request) { r.SecretKey = "other" },
		"service":   func(r *tc3Request) { r.Service = "cvm" },
		"timestamp": func(r *tc3Request) { r.Timestamp++ },
		"body":      func(r *tc3Request) { r.Body = []byte(`{"a":2}`) },
		"host": func(r *tc3Request) {
			r.Headers = map[string]string{"content-type": "application/json", "host": "evil.example"}
		},
	}
	for name, change := range changes {
		r := base
		change(&r)
		if tc3Authorization(r) == want {
			t.Errorf("changing the %s left the Authorization unchanged", name)
		}
	}
}
