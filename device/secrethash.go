package device

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime/debug"

	"golang.org/x/crypto/argon2"
)

// The hash of an admin secret (the panel's PIN, the web pages' password).
// A PIN of 4 to 12 digits is short: what keeps a stolen state file from
// giving it away is the cost of each guess, and what bounds that cost is
// the board. Argon2id with 3 passes over 16 MiB on one thread takes about
// half a second on a Cortex-A7 and 16 MiB of a 256 MB board, once at a
// time (hashGuard); more memory or passes would make the panel's keypad
// and the web pages' login slow to answer and a burst of tries a threat
// to the jobs' memory. A password is longer and gets the same cost. The
// parameters are stored with each hash, so that a later daemon can raise
// them and still check a secret set before.
const (
	hashAlgo    = "argon2id"
	hashTime    = 3
	hashMemory  = 16 << 10 // KiB
	hashThreads = 1
	hashSaltLen = 16
	hashKeyLen  = 32
)

// secretHash is a secret's hash with everything needed to check a guess
// against it.
type secretHash struct {
	Algo      string `json:"algo"`
	Version   int    `json:"version"` // argon2.Version
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
	Key       []byte `json:"key"`
}

// newSecretHash hashes secret with a new random salt and today's
// parameters.
func newSecretHash(secret string) (*secretHash, error) {
	h := &secretHash{
		Algo: hashAlgo, Version: argon2.Version,
		Time: hashTime, MemoryKiB: hashMemory, Threads: hashThreads,
		Salt: make([]byte, hashSaltLen),
	}
	if _, err := rand.Read(h.Salt); err != nil {
		return nil, fmt.Errorf("salt: %w", err)
	}
	h.Key = h.derive(secret, hashKeyLen)
	return h, nil
}

func (h *secretHash) derive(secret string, n int) []byte {
	key := argon2.IDKey([]byte(secret), h.Salt, h.Time, h.MemoryKiB, h.Threads, uint32(n))
	// The hash's memory is garbage now. Left to the collector, the heap
	// grows past it before the next collection, and a login (a password
	// set, then checked) takes two of them on a 256 MB board; hashes are
	// rare, so a collection that gives it back to the system now is cheap.
	debug.FreeOSMemory()
	return key
}

// errSecretHash means the stored hash is not one this daemon can check.
var errSecretHash = errors.New("the stored hash is not one this daemon reads")

// matches reports, in constant time, whether secret is the one hashed.
func (h *secretHash) matches(secret string) (bool, error) {
	// Bounds keep a damaged record from asking for gigabytes.
	if h.Algo != hashAlgo || h.Version != argon2.Version || h.Time == 0 || h.Time > 16 ||
		h.MemoryKiB < 8 || h.MemoryKiB > 64<<10 || h.Threads == 0 || len(h.Salt) < 8 || len(h.Key) < 16 || len(h.Key) > 64 {
		return false, errSecretHash
	}
	return subtle.ConstantTimeCompare(h.derive(secret, len(h.Key)), h.Key) == 1, nil
}
