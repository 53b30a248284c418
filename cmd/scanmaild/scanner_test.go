package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/creack/pty"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestSerialScanner runs jobs in every mode through the daemon's scanner
// setting, over a real pty pair: the simulated engine serves the master,
// and the daemon opens the slave as its serial port with tarm/serial. Every
// job becomes a PDF and a TIFF that independent tools accept.
func TestSerialScanner(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- link.Serve(ctx, master, &scansim.Simulator{}, link.EngineOptions{})
	}()
	defer func() {
		cancel()
		master.Close()
		<-served
	}()

	scanner, closeScanner, err := openScanner("serial:"+slave.Name()+"?baud=3000000", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeScanner()

	for _, mode := range []scan.Mode{scan.ModeBW1, scan.ModeGray8, scan.ModeRGB24, scan.ModeJPEG} {
		for _, format := range []scan.Format{scan.FormatPDF, scan.FormatTIFF} {
			t.Run(mode.String()+"/"+format.String(), func(t *testing.T) {
				src, err := scanner.Scan(ctx, scan.Options{Mode: mode, DPI: 75, Pages: 2})
				if err != nil {
					t.Fatal(err)
				}
				doc, err := scan.CreateDocument(t.TempDir(), scan.DocumentOptions{Format: format})
				if err != nil {
					t.Fatal(err)
				}
				for {
					pg, err := src.NextPage(ctx)
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					if err := doc.WritePage(ctx, pg); err != nil {
						t.Fatal(err)
					}
				}
				if err := src.Close(); err != nil {
					t.Errorf("closing the job: %v", err)
				}
				if err := doc.Close(); err != nil {
					t.Fatal(err)
				}
				switch format {
				case scan.FormatPDF:
					b, err := os.ReadFile(doc.Files()[0])
					if err != nil {
						t.Fatal(err)
					}
					filecheck.PDF(t, b, 2)
				case scan.FormatTIFF:
					filecheck.TIFF(t, doc.Files()[0], 2)
				}
			})
		}
	}
}

// TestScannerSettingRefused: a bad -scanner value stops the daemon with the
// reason, before anything else starts.
func TestScannerSettingRefused(t *testing.T) {
	for _, s := range []string{"usb:1", "serial:", "serial:/dev/ttyS1?baud=12345", "spi:SPI0.0"} {
		if _, _, err := openScanner(s, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
