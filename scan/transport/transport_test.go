package transport

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
	}{
		{"serial:/dev/ttyS1?baud=3000000", Spec{Kind: KindSerial, Path: "/dev/ttyS1", Baud: 3000000}},
		{"serial:/dev/ttyUSB0", Spec{Kind: KindSerial, Path: "/dev/ttyUSB0", Baud: 115200}},
		{"  serial:/dev/ttyAMA0?baud=921600\n", Spec{Kind: KindSerial, Path: "/dev/ttyAMA0", Baud: 921600}},
		{"spi:SPI0.0?ready=GPIO17&hz=8000000&packet=4096", Spec{Kind: KindSPI, SPIPort: "SPI0.0", ReadyPin: "GPIO17", Hz: 8000000, Packet: 4096}},
		{"spi:SPI1.2?packet=1024&ready=P1_11", Spec{Kind: KindSPI, SPIPort: "SPI1.2", ReadyPin: "P1_11", Hz: 8000000, Packet: 1024}},
		{"spi:/dev/spidev0.0?ready=GPIO5&hz=500000", Spec{Kind: KindSPI, SPIPort: "/dev/spidev0.0", ReadyPin: "GPIO5", Hz: 500000, Packet: 4096}},
		{"sim", Spec{Kind: KindSim}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Parse = %+v, want %+v", got, tt.want)
			}
			again, err := Parse(got.String())
			if err != nil || again != got {
				t.Errorf("Parse(%q) = %+v, %v; want the same spec back", got.String(), again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "empty scanner setting"},
		{"usb:/dev/ttyACM0", `unknown kind "usb"`},
		{"/dev/ttyS1", `unknown kind "/dev/ttyS1"`},
		{"Serial:/dev/ttyS1", `unknown kind "Serial"`},
		{"sim:fast", "sim takes no device"},
		{"sim?speed=2", "sim takes no device or parameters"},
		{"serial?baud=9600", "no device path"},
		{"serial:", "no device path"},
		{"serial:?baud=9600", "no device path"},
		{"serial:ttyS1", "must be absolute"},
		{"serial:///dev/ttyS1", "must be absolute and clean"},
		{"serial:/dev/ttyS1?baud=fast", `baud "fast" is not a whole number`},
		{"serial:/dev/ttyS1?baud=14400", "baud 14400 is not supported"},
		{"serial:/dev/ttyS1?baud=-9600", "baud -9600 out of range"},
		{"serial:/dev/ttyS1?baud=99999999999", "out of range"},
		{"serial:/dev/ttyS1?baud=", "baud has no value"},
		{"serial:/dev/ttyS1?baud=9600&baud=19200", "baud given 2 times"},
		{"serial:/dev/ttyS1?bauds=9600", `unknown parameter "bauds"; want baud`},
		{"serial:/dev/ttyS1?baud=9600;x", "bad parameters"},
		{"spi:?ready=GPIO17", "no SPI port"},
		{"spi:SPI0.0", "no data-ready pin"},
		{"spi:SPI0.0?hz=8000000", "no data-ready pin"},
		{"spi:SPI0.0?ready=GPIO17&hz=8MHz", `hz "8MHz" is not a whole number`},
		{"spi:SPI0.0?ready=GPIO17&hz=0", "hz 0 out of range"},
		{"spi:SPI0.0?ready=GPIO17&hz=2000000000", "hz 2000000000 out of range"},
		{"spi:SPI0.0?ready=GPIO17&packet=8", "packet 8 out of range 16 … 65536"},
		{"spi:SPI0.0?ready=GPIO17&packet=70000", "packet 70000 out of range"},
		{"spi:SPI0.0?ready=GPIO17&packet=4k", "not a whole number"},
		{"spi:SPI0.0?ready=GPIO17&baud=9600", `unknown parameter "baud"; want ready, hz, packet`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", got)
			}
			if !strings.HasPrefix(err.Error(), "transport: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to contain %q", err, tt.want)
			}
		})
	}
}
