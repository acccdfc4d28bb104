package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/hkdf"
)

// KeySize is the length of the master key in bytes.
const KeySize = 32

// sealV1 is the first byte of every sealed value: AES-256-GCM under the key
// derived with infoSeal. A later key or cipher gets a new version, and Open
// chooses by this byte, so old rows stay readable while they are re-sealed.
const sealV1 byte = 1

// HKDF info labels: one master key, independent subkeys per purpose.
const (
	infoSeal  = "yaoju pii v1 aes-256-gcm"
	infoIndex = "yaoju pii v1 blind-index hmac-sha256"
)

const nonceSize = 12

// ErrSealed means a sealed value could not be opened: it was changed, cut
// short, sealed under another key, or has an unknown version.
var ErrSealed = errors.New("pii: sealed value cannot be opened")

// Sealer encrypts personal data for storage and computes blind indexes for
// exact lookup. It is safe for concurrent use.
type Sealer struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewSealer derives the encryption key and the blind-index key from a 32-byte
// master key with HKDF-SHA256, so that neither key can be computed from the
// other.
func NewSealer(masterKey []byte) (*Sealer, error) {
	if len(masterKey) != KeySize {
		return nil, fmt.Errorf("pii: master key must be %d bytes, got %d", KeySize, len(masterKey))
	}
	encKey, err := derive(masterKey, infoSeal)
	if err != nil {
		return nil, err
	}
	indexKey, err := derive(masterKey, infoIndex)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, indexKey: indexKey}, nil
}

func derive(master []byte, info string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, master, nil, []byte(info)), key); err != nil {
		return nil, fmt.Errorf("pii: derive key: %w", err)
	}
	return key, nil
}

// Seal encrypts plain as version || nonce (12 random bytes) || ciphertext+tag.
// The version byte is authenticated too, so it cannot be swapped.
func (s *Sealer) Seal(plain string) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+s.aead.Overhead())
	out[0] = sealV1
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, fmt.Errorf("pii: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:1+nonceSize], []byte(plain), out[:1]), nil
}

// Open decrypts a value made by Seal. Anything else, including a value sealed
// under another key, returns ErrSealed.
func (s *Sealer) Open(sealed []byte) (string, error) {
	if len(sealed) < 1+nonceSize+s.aead.Overhead() || sealed[0] != sealV1 {
		return "", ErrSealed
	}
	plain, err := s.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], sealed[:1])
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}

// BlindIndex is the hex HMAC-SHA256 of the value, for a unique column that
// finds and deduplicates rows without decrypting them. Pass the value that
// ValidateIDNumber or ValidatePhone returned; surrounding space is trimmed and
// letters upper-cased here as well, so "…123x" and "…123X" index alike.
func (s *Sealer) BlindIndex(plain string) string {
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(plain))))
	return hex.EncodeToString(m.Sum(nil))
}
