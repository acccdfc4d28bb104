package wechat

import (
	"context"
	"errors"
	"testing"
)

func TestPhoneNumber_PhoneCodeGivesPureNumber(t *testing.T) {
	e := newEnv(t)
	phone, err := e.client.PhoneNumber(context.Background(), "phone_13812345678")
	if err != nil {
		t.Fatal(err)
	}
	if phone != "13812345678" {
		t.Fatalf("got %q", phone)
	}
}

func TestPhoneNumber_UnknownCodeIsRefused(t *testing.T) {
	e := newEnv(t)
	for _, code := range []string{"phone_1381234567", "phone_1381234567x", "test_alice"} {
		_, err := e.client.PhoneNumber(context.Background(), code)
		if !errors.Is(err, ErrInvalidCode) {
			t.Errorf("code %q: got %v, want ErrInvalidCode", code, err)
		}
	}
}
