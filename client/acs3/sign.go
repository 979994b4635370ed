package acs3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// HexSHA256 returns the lower-case hex SHA-256 of b.
func HexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// StringToSign is the algorithm's name and the hash of the canonical request.
func StringToSign(canonicalRequest string) string {
	return Algorithm + "\n" + HexSHA256([]byte(canonicalRequest))
}

// Signature is Hex(HMAC-SHA256(secret, stringToSign)). The key is the secret
// alone, unlike the older HMAC-SHA1 style that appended '&'.
func Signature(secret, stringToSign string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(stringToSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// Sign returns the signature of r under secret.
func Sign(r Request, secret string) string {
	return Signature(secret, StringToSign(CanonicalRequest(r)))
}

// Authorization renders the Authorization header's value.
func Authorization(accessKeyID string, signedHeaders []string, signature string) string {
	return Algorithm + " Credential=" + accessKeyID +
		",SignedHeaders=" + strings.Join(signedHeaders, ";") +
		",Signature=" + signature
}
