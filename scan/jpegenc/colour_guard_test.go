//go:build linux

package jpegenc

import (
	"os"
	"syscall"
	"testing"
)

// guarded returns n bytes that end where an unreadable page begins, so
// that reading past them faults.
func guarded(t *testing.T, n int) []byte {
	t.Helper()
	page := os.Getpagesize()
	size := (n + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, size+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[size:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return mem[size-n : size]
}

// TestToYCbCrLastMCU converts and tests for flatness MCUs that end their
// raster exactly, right before an unreadable page: neither the assembly
// nor flatRGB may read past the MCU's 16 rows of 48 bytes.
func TestToYCbCrLastMCU(t *testing.T) {
	for _, stride := range []int{48, 96, 7443} {
		rows := guarded(t, 16*stride)
		off := stride - 48
		for i := range rows {
			rows[i] = byte(i * 7)
		}
		var y, yGo [4][64]int32
		var cb, cr, cbGo, crGo [64]int32
		toYCbCr(rows[off:], stride, &y, &cb, &cr)
		toYCbCrGo(rows[off:], stride, &yGo, &cbGo, &crGo)
		if y != yGo || cb != cbGo || cr != crGo {
			t.Errorf("stride %d: samples differ from toYCbCrGo", stride)
		}
		for i := range rows {
			rows[i] = 0xee
		}
		if _, _, _, ok := flatRGB(rows, off, stride); !ok {
			t.Errorf("stride %d: one colour not flat", stride)
		}
	}
}
