package proto

import (
	"crypto/sha512"

	"filippo.io/edwards25519"
)

// ScrambleEd25519 returns MariaDB's client_ed25519 response: an Ed25519
// signature (64 bytes) of the server's 32-byte nonce, made with the key whose
// expanded secret is SHA-512(password). An empty password is signed too.
func ScrambleEd25519(password string, salt []byte) ([]byte, error) {
	az := sha512.Sum512([]byte(password))
	return signWithExpanded(az[:], scramble32(salt))
}

// scramble32 returns the 32-byte nonce client_ed25519 signs, dropping a
// trailing NUL.
func scramble32(salt []byte) []byte {
	if len(salt) > 32 {
		salt = salt[:32]
	}
	return salt
}

// Ed25519PublicKey returns the 32-byte public key for password; MariaDB's
// ed25519_password() shows it in base64 without padding.
func Ed25519PublicKey(password string) []byte {
	az := sha512.Sum512([]byte(password))
	a, _ := edwards25519.NewScalar().SetBytesWithClamping(az[:32])
	return new(edwards25519.Point).ScalarBaseMult(a).Bytes()
}

// signWithExpanded signs msg with the 64-byte expanded secret az as Ed25519
// does after hashing its seed: az[:32] clamped is the secret scalar and
// az[32:] the nonce prefix.
func signWithExpanded(az, msg []byte) ([]byte, error) {
	a, err := edwards25519.NewScalar().SetBytesWithClamping(az[:32])
	if err != nil {
		return nil, err
	}
	A := new(edwards25519.Point).ScalarBaseMult(a).Bytes()
	h := sha512.New()
	h.Write(az[32:])
	h.Write(msg)
	r, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	if err != nil {
		return nil, err
	}
	R := new(edwards25519.Point).ScalarBaseMult(r).Bytes()
	h.Reset()
	h.Write(R)
	h.Write(A)
	h.Write(msg)
	k, err := edwards25519.NewScalar().SetUniformBytes(h.Sum(nil))
	if err != nil {
		return nil, err
	}
	S := edwards25519.NewScalar().MultiplyAdd(k, a, r)
	return append(R, S.Bytes()...), nil
}
