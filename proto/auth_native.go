package proto

import "crypto/sha1"

// Authentication plugin names.
const (
	AuthNativePassword = "mysql_native_password"
	AuthCachingSHA2    = "caching_sha2_password"
	AuthSHA256         = "sha256_password"
	AuthClearPassword  = "mysql_clear_password"
	AuthEd25519        = "client_ed25519"
)

// scramble20 returns the first 20 bytes of a server scramble, dropping the
// NUL terminator an AuthSwitchRequest appends.
func scramble20(salt []byte) []byte {
	if len(salt) > 20 {
		salt = salt[:20]
	}
	return salt
}

// ScrambleNativePassword returns the mysql_native_password response:
// SHA1(pw) XOR SHA1(salt[:20] + SHA1(SHA1(pw))). An empty password gives
// an empty (nil) response.
func ScrambleNativePassword(password string, salt []byte) []byte {
	if password == "" {
		return nil
	}
	stage1 := sha1.Sum([]byte(password))
	stage2 := sha1.Sum(stage1[:])
	h := sha1.New()
	h.Write(scramble20(salt))
	h.Write(stage2[:])
	out := h.Sum(nil)
	for i := range out {
		out[i] ^= stage1[i]
	}
	return out
}
