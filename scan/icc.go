package scan

import (
	"encoding/binary"
	"math"
)

// sRGBProfile is an ICC version 2 display profile of sRGB (IEC 61966-2-1)
// as a matrix and tone curves, built from the standard's numbers rather
// than shipped: PDF/A's output intent embeds it. It is about 2.6 KB.
func sRGBProfile() []byte {
	// The primaries adapted to the PCS's D50 white (Bradford), as in
	// every sRGB v2 profile; each column sums to D50.
	colorants := [3][3]float64{
		{0.436066, 0.222488, 0.013916}, // red
		{0.385147, 0.716873, 0.097076}, // green
		{0.143066, 0.060608, 0.714096}, // blue
	}
	d50 := [3]float64{0.964203, 1.0, 0.824905}
	d65 := [3]float64{0.950455, 1.0, 1.089050}

	type tag struct {
		sig  string
		data []byte
	}
	trc := curveTag()
	tags := []tag{
		{"desc", descTag("sRGB IEC61966-2.1")},
		{"cprt", textTag("No copyright, use freely")},
		{"wtpt", xyzTag(d65)},
		{"rXYZ", xyzTag(colorants[0])},
		{"gXYZ", xyzTag(colorants[1])},
		{"bXYZ", xyzTag(colorants[2])},
		{"rTRC", trc},
		{"gTRC", trc},
		{"bTRC", trc},
	}
	const headerLen = 128
	table := 4 + 12*len(tags)
	b := make([]byte, headerLen+table)
	be := binary.BigEndian
	be.PutUint32(b[headerLen:], uint32(len(tags)))
	offsets := map[string]int{} // the three curves share one copy
	for i, t := range tags {
		off, ok := offsets[string(t.data)]
		if !ok {
			for len(b)%4 != 0 {
				b = append(b, 0)
			}
			off = len(b)
			offsets[string(t.data)] = off
			b = append(b, t.data...)
		}
		e := b[headerLen+4+12*i:]
		copy(e, t.sig)
		be.PutUint32(e[4:], uint32(off))
		be.PutUint32(e[8:], uint32(len(t.data)))
	}
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	be.PutUint32(b[0:], uint32(len(b)))
	be.PutUint32(b[8:], 0x02100000) // version 2.1
	copy(b[12:], "mntr")
	copy(b[16:], "RGB ")
	copy(b[20:], "XYZ ")
	for i, v := range []uint16{2026, 1, 1, 0, 0, 0} { // fixed: the profile never changes
		be.PutUint16(b[24+2*i:], v)
	}
	copy(b[36:], "acsp")
	putXYZ(b[68:], d50) // the PCS illuminant
	return b
}

// curveTag is the sRGB transfer function sampled at 1024 points (ICC v2
// has no parametric curves).
func curveTag() []byte {
	const n = 1024
	b := make([]byte, 12+2*n)
	copy(b, "curv")
	binary.BigEndian.PutUint32(b[8:], n)
	for i := range n {
		v := float64(i) / (n - 1)
		if v <= 0.04045 {
			v /= 12.92
		} else {
			v = math.Pow((v+0.055)/1.055, 2.4)
		}
		binary.BigEndian.PutUint16(b[12+2*i:], uint16(math.Round(v*65535)))
	}
	return b
}

func xyzTag(xyz [3]float64) []byte {
	b := make([]byte, 20)
	copy(b, "XYZ ")
	putXYZ(b[8:], xyz)
	return b
}

// putXYZ writes xyz as three s15Fixed16Numbers.
func putXYZ(b []byte, xyz [3]float64) {
	for i, v := range xyz {
		binary.BigEndian.PutUint32(b[4*i:], uint32(int32(math.Round(v*65536))))
	}
}

func textTag(s string) []byte {
	b := append([]byte("text\x00\x00\x00\x00"), s...)
	return append(b, 0)
}

// descTag is a v2 textDescriptionType: ASCII, an empty Unicode and an
// empty ScriptCode description.
func descTag(s string) []byte {
	b := make([]byte, 12, 12+len(s)+1+8+3+67)
	copy(b, "desc")
	binary.BigEndian.PutUint32(b[8:], uint32(len(s)+1))
	b = append(b, s...)
	b = append(b, 0)
	b = append(b, make([]byte, 8)...) // Unicode language and count
	b = append(b, make([]byte, 3)...) // ScriptCode code and count
	return append(b, make([]byte, 67)...)
}
