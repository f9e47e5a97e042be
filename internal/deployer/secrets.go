package deployer

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// secretWords are the parts of an environment variable's name that mark
// its value as a secret (API_TOKEN, DB_PASSWORD, STRIPE_SECRET_KEY, ...).
var secretWords = []string{"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "KEY", "CREDENTIAL", "PRIVATE", "AUTH", "COOKIE", "SESSION", "SIGNATURE"}

// SecretName reports whether an environment variable's name looks like it
// holds a secret.
func SecretName(name string) bool {
	up := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// secretPrefix starts the stand-in for a secret-looking value.
const secretPrefix = "(masked) sha256:"

// maskSecret is the stand-in for a secret-looking value in the plan and the
// state file: a hash, so a changed value still changes the plan, that
// names no part of the value.
func maskSecret(value string) string {
	sum := sha256.Sum256([]byte(value))
	return secretPrefix + hex.EncodeToString(sum[:8])
}

// envAttribute is the "environment" attribute of a function: the variables
// as JSON, with the value of every secret-looking name replaced by its
// hash. Plans print attributes and the state file records them; only the
// Lambda configuration gets the values themselves.
func envAttribute(env map[string]string) string {
	masked := make(map[string]string, len(env))
	for k, v := range env {
		if SecretName(k) {
			v = maskSecret(v)
		}
		masked[k] = v
	}
	return jsonString(masked)
}
