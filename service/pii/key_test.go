package pii

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestParseKey_Formats(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i*7 + 250) // includes bytes that make + / - _ in base64
	}
	good := map[string]string{
		"hex":             hex.EncodeToString(key),
		"upper hex":       strings.ToUpper(hex.EncodeToString(key)),
		"hex with spaces": " " + hex.EncodeToString(key) + "\n",
		"base64":          base64.StdEncoding.EncodeToString(key),
		"raw base64":      base64.RawStdEncoding.EncodeToString(key),
		"base64url":       base64.URLEncoding.EncodeToString(key),
		"raw base64url":   base64.RawURLEncoding.EncodeToString(key),
	}
	for name, in := range good {
		got, err := ParseKey(in)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("%s: ParseKey = %x, %v", name, got, err)
		}
	}
	bad := map[string]string{
		"empty":            "",
		"62 hex":           hex.EncodeToString(key)[:62],
		"66 hex":           hex.EncodeToString(append(bytes.Clone(key), 1)),
		"64 non-hex":       strings.Repeat("g", 64),
		"base64 of 31":     base64.StdEncoding.EncodeToString(key[:31]),
		"base64 of 33":     base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 1)),
		"not base64":       "this is not a key at all, not even close!!",
		"plain passphrase": "correct horse battery staple",
	}
	for name, in := range bad {
		_, err := ParseKey(in)
		if err == nil {
			t.Errorf("%s: ParseKey accepted %q", name, in)
			continue
		}
		if in != "" && strings.Contains(err.Error(), strings.TrimSpace(in)) {
			t.Errorf("%s: error repeats the key: %v", name, err)
		}
	}
}

func TestLoadOrCreateKey_CreatesPrivateFileOnceAndRereadsIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "keys")
	path := filepath.Join(dir, "pii.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != KeySize || bytes.Equal(k1, make([]byte, KeySize)) {
		t.Fatalf("key %x", k1)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		di, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if di.Mode().Perm() != 0o700 {
			t.Errorf("dir %s mode %v, want 0700", d, di.Mode().Perm())
		}
	}
	// The file is the key in hex, ready to be copied into configuration.
	data, _ := os.ReadFile(path)
	if parsed, err := ParseKey(string(data)); err != nil || !bytes.Equal(parsed, k1) {
		t.Fatalf("file content does not parse back to the key: %v", err)
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load = %x, %v; want the first key", k2, err)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %d entries, want only the key", len(entries))
	}
}

func TestLoadOrCreateKey_ReadsRawKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raw.key")
	raw := testKey(9)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k, raw) {
		t.Fatalf("LoadOrCreateKey = %x, %v", k, err)
	}
}

func TestLoadOrCreateKey_CorruptFileIsAnErrorNotReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(path, []byte("oops"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Fatal("corrupt key file accepted")
	}
	if data, _ := os.ReadFile(path); string(data) != "oops" {
		t.Fatal("corrupt key file was overwritten: data sealed under it would be lost")
	}
}

func TestLoadOrCreateKey_ConcurrentStartsAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", "pii.key")
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = LoadOrCreateKey(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("start %d: key %x, err %v; start 0: %x", i, keys[i], errs[i], keys[0])
		}
	}
}
