package device

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// The admin PIN's hash. A PIN of 4 to 12 digits is short: what keeps a
// stolen state file from giving it away is the cost of each guess, and
// what bounds that cost is the board. Argon2id with 3 passes over 16 MiB
// on one thread takes about half a second on a Cortex-A7 and 16 MiB of a
// 256 MB board, once at a time (pinGuard); more memory or passes would
// make the panel's keypad slow to answer and a burst of tries a threat to
// the jobs' memory. The parameters are stored with each hash, so that a
// later daemon can raise them and still check a PIN set before.
const (
	pinHashAlgo    = "argon2id"
	pinHashTime    = 3
	pinHashMemory  = 16 << 10 // KiB
	pinHashThreads = 1
	pinSaltLen     = 16
	pinKeyLen      = 32
)

// pinHashRecord is a PIN's hash with everything needed to check a PIN
// against it.
type pinHashRecord struct {
	Algo      string `json:"algo"`
	Version   int    `json:"version"` // argon2.Version
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
	Key       []byte `json:"key"`
}

// newPINHash hashes pin with a new random salt and today's parameters.
func newPINHash(pin string) (*pinHashRecord, error) {
	h := &pinHashRecord{
		Algo: pinHashAlgo, Version: argon2.Version,
		Time: pinHashTime, MemoryKiB: pinHashMemory, Threads: pinHashThreads,
		Salt: make([]byte, pinSaltLen),
	}
	if _, err := rand.Read(h.Salt); err != nil {
		return nil, fmt.Errorf("PIN salt: %w", err)
	}
	h.Key = h.derive(pin, pinKeyLen)
	return h, nil
}

func (h *pinHashRecord) derive(pin string, n int) []byte {
	return argon2.IDKey([]byte(pin), h.Salt, h.Time, h.MemoryKiB, h.Threads, uint32(n))
}

// errPINHash means the stored hash is not one this daemon can check.
var errPINHash = errors.New("the stored admin PIN hash is not one this daemon reads")

// matches reports, in constant time, whether pin is the PIN hashed.
func (h *pinHashRecord) matches(pin string) (bool, error) {
	// Bounds keep a damaged record from asking for gigabytes.
	if h.Algo != pinHashAlgo || h.Version != argon2.Version || h.Time == 0 || h.Time > 16 ||
		h.MemoryKiB < 8 || h.MemoryKiB > 64<<10 || h.Threads == 0 || len(h.Salt) < 8 || len(h.Key) < 16 || len(h.Key) > 64 {
		return false, errPINHash
	}
	return subtle.ConstantTimeCompare(h.derive(pin, len(h.Key)), h.Key) == 1, nil
}
