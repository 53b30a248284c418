package device

import "testing"

// TestDiskClaims: the room promised to a scan and to a part being cut
// never adds up to more than the disk's free bytes less the state file's
// reserve; what is released can be promised again.
func TestDiskClaims(t *testing.T) {
	const mb = 1 << 20
	const free = spoolReserve + 100*mb
	var c diskClaims

	scan, releaseScan, ok := c.claim(free, noBound, 1)
	if !ok || scan != 100*mb {
		t.Fatalf("a scan bound only by the disk got %d bytes (%v), want 100 MB", scan, ok)
	}
	if _, _, ok := c.claim(free, mb, mb); ok {
		t.Fatal("a part was promised room the running scan holds")
	}
	releaseScan()
	releaseScan() // twice is once
	part, releasePart, ok := c.claim(free, mb, mb)
	if !ok || part != mb {
		t.Fatalf("a part after the scan: %d bytes (%v)", part, ok)
	}
	if scan, _, ok := c.claim(free, noBound, 1); !ok || scan != 99*mb {
		t.Errorf("a scan while a part is cut got %d bytes (%v), want 99 MB", scan, ok)
	}
	releasePart()
	if _, _, ok := c.claim(spoolReserve, 1, 1); ok {
		t.Error("the reserve itself was promised")
	}
	// The second scan still holds 99 MB: 1 MB is left.
	if got, _, ok := c.claim(free, 2*mb, 2*mb); ok {
		t.Errorf("promised %d bytes of the 1 MB left", got)
	}
	if got, _, ok := c.claim(free, noBound, 1); !ok || got != mb {
		t.Errorf("got %d bytes (%v), want the 1 MB left", got, ok)
	}
}
