package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/host/v3"

	"scanmail/device"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
	"scanmail/scan/serial"
	"scanmail/scan/spilink"
	"scanmail/scan/transport"
)

// openScanner turns the -scanner setting into the device's scanner. Only
// the main opens hardware. A scanner that is not there yet (powered off,
// cable out) is no reason not to start: the link is opened for each job,
// and a job on a missing scanner fails with the reason.
func openScanner(setting string, log *slog.Logger) (device.Scanner, func(), error) {
	spec, err := transport.Parse(setting)
	if err != nil {
		return nil, nil, err
	}
	// A link is dialled for each job; the strip size carries over, as the
	// line's noise does.
	opts := link.HostOptions{Logger: log.With("part", "scanner-link"), Strips: new(link.StripMemory)}
	switch spec.Kind {
	case transport.KindSim:
		return &scansim.Scanner{Logger: log}, func() {}, nil
	case transport.KindSerial:
		cfg := serial.Config{Path: spec.Path, Baud: spec.Baud}
		return &device.LinkScanner{Options: opts, Open: func(ctx context.Context) (io.ReadWriteCloser, error) {
			return serial.Open(ctx, cfg)
		}}, func() {}, nil
	case transport.KindSPI:
		return openSPI(spec, opts, log)
	}
	return nil, nil, fmt.Errorf("scanner %q: unknown kind", setting)
}

// openSPI opens the SPI port and the data-ready pin once; each job runs
// its link over them.
func openSPI(spec transport.Spec, opts link.HostOptions, log *slog.Logger) (device.Scanner, func(), error) {
	if _, err := host.Init(); err != nil {
		return nil, nil, fmt.Errorf("scanner: hardware drivers: %w", err)
	}
	port, err := spireg.Open(spec.SPIPort)
	if err != nil {
		return nil, nil, fmt.Errorf("scanner: SPI port %s: %w", spec.SPIPort, err)
	}
	ready := gpioreg.ByName(spec.ReadyPin)
	if ready == nil {
		port.Close()
		return nil, nil, fmt.Errorf("scanner: no GPIO pin %s for data-ready", spec.ReadyPin)
	}
	conn, err := port.Connect(physic.Frequency(spec.Hz)*physic.Hertz, spi.Mode0, 8)
	if err != nil {
		port.Close()
		return nil, nil, fmt.Errorf("scanner: SPI port %s: %w", spec.SPIPort, err)
	}
	sopts := spilink.Options{PacketSize: spec.Packet, Logger: log.With("part", "spi")}
	return &device.LinkScanner{Options: opts, Open: func(context.Context) (io.ReadWriteCloser, error) {
		return spilink.New(conn, gpio.PinIn(ready), sopts)
	}}, func() { port.Close() }, nil
}
