package pii

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

var errKeyFormat = errors.New("pii: key must be 64 hex characters or the base64 of 32 bytes")

// ParseKey reads a master key from configuration: 64 hex characters, or the
// base64 (standard or URL alphabet, padded or not) of 32 bytes. The error
// never repeats the value.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	return nil, errKeyFormat
}

// LoadOrCreateKey reads the master key file of embedded mode, or creates it
// with 32 random bytes when it does not exist yet. The file holds the key as
// 64 hex characters and a newline, so that it can be copied into
// configuration when the data moves to production; a file of exactly 32 raw
// bytes is read as well. The file is created with mode 0600 and missing parent
// directories with 0700.
//
// Two processes starting together end with the same key: the new key is
// written to a temporary file and linked into place, and the loser of that
// race reads the winner's file.
func LoadOrCreateKey(path string) ([]byte, error) {
	if k, err := readKeyFile(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pii: key dir: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("pii: generate key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return nil, fmt.Errorf("pii: create key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp already uses 0600; Chmod makes that explicit and independent of it.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("pii: create key: %w", err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("pii: write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("pii: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("pii: write key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("pii: create key: %w", err)
	}
	return key, nil
}

func readKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) == KeySize {
		return data, nil
	}
	k, err := ParseKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("pii: key file %s: %w", path, err)
	}
	return k, nil
}
