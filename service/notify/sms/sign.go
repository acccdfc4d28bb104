package sms

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TC3-HMAC-SHA256, from Tencent Cloud's API 3.0 "Signature v3" document
// (签名方法 v3, the same page in every product's API docs) and the
// tencentcloud-sdk-go implementation (common/client.go, sendWithSignatureV3):
//
//	CanonicalRequest = "POST" \n "/" \n "" \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//	StringToSign     = "TC3-HMAC-SHA256" \n timestamp \n date/service/tc3_request \n hex(sha256(CanonicalRequest))
//	SigningKey       = HMAC(HMAC(HMAC("TC3"+SecretKey, date), service), "tc3_request")
//	Signature        = hex(HMAC(SigningKey, StringToSign))
//
// date is the UTC date of the timestamp. A local (UTC+8) date would break
// every request made between midnight and 08:00 Beijing time.
const tc3Algorithm = "TC3-HMAC-SHA256"

// tc3Request is what the signature covers. It is always a POST to "/" with
// no query string, the only shape this package sends.
type tc3Request struct {
	SecretID, SecretKey string
	// Service is the product, the first label of its host ("sms").
	Service   string
	Timestamp int64
	// Headers are the signed headers by name. content-type and host are
	// required; names and values are lowercased and trimmed for signing.
	Headers map[string]string
	Body    []byte
}

// tc3Authorization returns the Authorization header value for r.
func tc3Authorization(r tc3Request) string {
	headers := make(map[string]string, len(r.Headers))
	for k, v := range r.Headers {
		headers[strings.ToLower(strings.TrimSpace(k))] = strings.ToLower(strings.TrimSpace(v))
	}
	names := slices.Sorted(maps.Keys(headers))
	var canonicalHeaders strings.Builder
	for _, n := range names {
		canonicalHeaders.WriteString(n + ":" + headers[n] + "\n")
	}
	signedHeaders := strings.Join(names, ";")
	canonicalRequest := "POST\n/\n\n" + canonicalHeaders.String() + "\n" + signedHeaders + "\n" + sha256Hex(r.Body)

	date := time.Unix(r.Timestamp, 0).UTC().Format(time.DateOnly)
	scope := date + "/" + r.Service + "/tc3_request"
	stringToSign := tc3Algorithm + "\n" + strconv.FormatInt(r.Timestamp, 10) + "\n" + scope + "\n" +
		sha256Hex([]byte(canonicalRequest))

	key := hmacSHA256([]byte("TC3"+r.SecretKey), date)
	key = hmacSHA256(key, r.Service)
	key = hmacSHA256(key, "tc3_request")
	signature := hex.EncodeToString(hmacSHA256(key, stringToSign))

	return tc3Algorithm + " Credential=" + r.SecretID + "/" + scope +
		", SignedHeaders=" + signedHeaders + ", Signature=" + signature
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
