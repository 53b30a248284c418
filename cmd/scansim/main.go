// Command scansim is a scanner engine on a pty or a serial port: it speaks
// the scanner link (scan/PROTOCOL.md) and scans synthetic pages or image
// files, with faults on the line and paper jams on demand.
//
//	scansim -pty                  # prints the pty to give scanmaild
//	scansim -pty -baud 3000000    # the same, sending at a UART's speed
//	scansim -serial /dev/ttyUSB0 -baud 3000000 -ber 1e-6 -jam 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/creack/pty"
	"github.com/tarm/serial"

	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "scansim:", err)
		}
		os.Exit(2)
	}
}

// run serves the engine until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scansim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		usePty  = fs.Bool("pty", false, "serve on a new pty and print its path")
		port    = fs.String("serial", "", "serve on this serial port")
		baud    = fs.Int("baud", 3000000, "serial port speed; with -pty, given, the engine sends at this speed (8N1) instead of at once")
		dir     = fs.String("dir", "", "PNG and JPEG page images, in name order, instead of synthetic pages")
		pages   = fs.Int("pages", 0, "pages in the feeder for a job that asks for all (default 3, or every file in -dir)")
		jam     = fs.Int("jam", 0, "report a paper jam at this page")
		jamMid  = fs.Bool("jam-mid", false, "with -jam: jam halfway through the page")
		hang    = fs.Int("hang", 0, "stop halfway through this page, keeping the line alive, until the job is cancelled")
		endless = fs.Int("endless", 0, "send this page's data without end")
		strip   = fs.Int("strip", 0, "largest strip in bytes (default 8192)")
		verbose = fs.Bool("v", false, "log link details")
		f       scansim.Faults
	)
	fs.Float64Var(&f.BitErrorRate, "ber", 0, "bit error rate of what the engine sends")
	fs.Float64Var(&f.DropRate, "drop", 0, "probability that a frame sent is lost")
	fs.Float64Var(&f.DupRate, "dup", 0, "probability that a frame sent goes out twice")
	fs.Float64Var(&f.ByteDropRate, "byte-drop", 0, "probability that a byte sent is lost")
	fs.Float64Var(&f.ByteDupRate, "byte-dup", 0, "probability that a byte sent goes out twice")
	fs.Float64Var(&f.TruncateRate, "truncate", 0, "probability that a frame sent is cut short")
	fs.Float64Var(&f.StallRate, "stall-rate", 0, "probability that a frame waits -stall before it goes")
	fs.DurationVar(&f.Stall, "stall", 500*time.Millisecond, "how long a stalled frame waits")
	fs.BoolVar(&f.Incoming, "faults-in", false, "also damage what the engine receives (bit errors, drops)")
	fs.Int64Var(&f.Seed, "seed", 1, "seed of the faults")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *usePty == (*port != "") || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("give either -pty or -serial PATH")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var conn io.ReadWriter
	if *usePty {
		master, slave, err := pty.Open()
		if err != nil {
			return fmt.Errorf("pty: %w", err)
		}
		// The slave stays open here, so the host may come and go.
		defer master.Close()
		defer slave.Close()
		if err := makeRaw(slave); err != nil {
			return fmt.Errorf("pty: %w", err)
		}
		fmt.Fprintf(stdout, "%s\tscanmaild --scanner 'serial:%s?baud=%d'\n", slave.Name(), slave.Name(), *baud)
		conn = master
	} else {
		// A read timeout keeps Close from hanging; it reads as (0, io.EOF),
		// which the link takes for "nothing yet".
		p, err := serial.OpenPort(&serial.Config{Name: *port, Baud: *baud, ReadTimeout: 100 * time.Millisecond})
		if err != nil {
			return fmt.Errorf("serial port: %w", err)
		}
		defer p.Close()
		conn = p
	}
	if f != (scansim.Faults{Stall: f.Stall, Seed: f.Seed}) {
		conn = f.Wrap(conn)
	}
	paced := 0
	if *usePty && flagGiven(fs, "baud") {
		// A pty has no speed; a serial port's UART paces itself. The
		// frames take their line time whether the faults spoil them
		// or not.
		paced = *baud
		conn = scansim.Pace(conn, paced)
	}
	sim := &scansim.Simulator{Dir: *dir, Pages: *pages, JamAtPage: *jam, JamMidPage: *jamMid,
		HangAtPage: *hang, EndlessPage: *endless, Logger: log}
	log.Info("scanner engine ready", "faults", f, "paced_baud", paced)
	return link.Serve(ctx, conn, sim, link.EngineOptions{Model: "scansim", Firmware: "1", MaxStrip: *strip, Logger: log})
}

// flagGiven reports whether the command line set the flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
