package pii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func newTestSealer(t *testing.T, b byte) *Sealer {
	t.Helper()
	s, err := NewSealer(testKey(b))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealer_RoundTrip(t *testing.T) {
	s := newTestSealer(t, 1)
	for _, plain := range []string{"11010519491231002X", "", "张三", "13800138000"} {
		sealed, err := s.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != sealV1 || len(sealed) != 1+12+len(plain)+16 {
			t.Fatalf("layout: version %d, length %d for %d plain bytes", sealed[0], len(sealed), len(plain))
		}
		if plain != "" && bytes.Contains(sealed, []byte(plain)) {
			t.Fatal("plain text visible in the sealed value")
		}
		got, err := s.Open(sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
}

func TestSealer_SameValueSealsDifferently(t *testing.T) {
	s := newTestSealer(t, 1)
	a, _ := s.Seal("11010519491231002X")
	b, _ := s.Seal("11010519491231002X")
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
}

func TestSealer_TamperedValueIsRefused(t *testing.T) {
	s := newTestSealer(t, 1)
	sealed, _ := s.Seal("11010519491231002X")
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Open(bad); !errors.Is(err, ErrSealed) {
			t.Fatalf("flipping byte %d: err = %v, want ErrSealed", i, err)
		}
	}
	for _, bad := range [][]byte{nil, {}, sealed[:1], sealed[:13], sealed[:len(sealed)-1], append(bytes.Clone(sealed), 0)} {
		if _, err := s.Open(bad); !errors.Is(err, ErrSealed) {
			t.Fatalf("length %d: err = %v, want ErrSealed", len(bad), err)
		}
	}
}

func TestSealer_WrongKeyIsRefused(t *testing.T) {
	sealed, _ := newTestSealer(t, 1).Seal("11010519491231002X")
	if _, err := newTestSealer(t, 2).Open(sealed); !errors.Is(err, ErrSealed) {
		t.Fatalf("err = %v, want ErrSealed", err)
	}
}

func TestNewSealer_KeyMustBe32Bytes(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewSealer(make([]byte, n)); err == nil {
			t.Errorf("NewSealer accepted a %d-byte key", n)
		}
	}
}

func TestBlindIndex_StableAndKeyDependent(t *testing.T) {
	s1 := newTestSealer(t, 1)
	id := "11010519491231002X"
	a := s1.BlindIndex(id)
	if len(a) != 64 {
		t.Fatalf("index %q is not 64 hex characters", a)
	}
	if _, err := hex.DecodeString(a); err != nil {
		t.Fatal(err)
	}
	if b := newTestSealer(t, 1).BlindIndex(id); a != b {
		t.Fatal("same key, same value, different index")
	}
	if b := s1.BlindIndex(" 11010519491231002x "); a != b {
		t.Fatal("index does not normalise case and space")
	}
	if b := newTestSealer(t, 2).BlindIndex(id); a == b {
		t.Fatal("index does not depend on the key")
	}
	if b := s1.BlindIndex("110105194912310021"); a == b {
		t.Fatal("different values, same index")
	}
	// The index key is derived, not the master key itself, so leaking
	// indexes says nothing about the encryption key.
	m := hmac.New(sha256.New, testKey(1))
	m.Write([]byte(id))
	if a == hex.EncodeToString(m.Sum(nil)) {
		t.Fatal("index is keyed with the master key")
	}
}
