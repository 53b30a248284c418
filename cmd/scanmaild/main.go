// Command scanmaild is the scan-to-email daemon of the printer's controller
// board. Run without a command it is the daemon; with one (status, config,
// signin, scan, jobs) it talks to the running daemon over its local socket.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"scanmail/cmd/scanmaild/cli"
	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

const boardDB = apitype.BoardDir + "/scanmail.db"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:]))
}

func run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("scanmaild", flag.ContinueOnError)
	var cfg daemonConfig
	fs.StringVar(&cfg.db, "db", "", "state file (default "+boardDB+", or ./scanmail.db with -demo)")
	fs.StringVar(&cfg.socket, "socket", "", "local API socket (default: "+apitype.SocketName+" beside the state file)")
	fs.StringVar(&cfg.spool, "spool", "", "spool directory (default: spool/ beside the state file)")
	fs.BoolVar(&cfg.demo, "demo", false, "run with a local identity provider and SMTP server on loopback")
	fs.StringVar(&cfg.mailDir, "mail-dir", "demo-mail", "with -demo: where received mail is saved as .eml")
	fs.IntVar(&cfg.pages, "pages", 3, "pages in a job of the simulated scanner (-scanner sim)")
	fs.StringVar(&cfg.scanner, "scanner", "sim", "the scanner engine: sim, serial:/dev/ttyS1?baud=3000000, or spi:SPI0.0?ready=GPIO17&hz=8000000")
	fs.StringVar(&cfg.watchdog, "watchdog", "", "watchdog device to feed, or off (default "+boardWatchdog+" if present; off with -demo)")
	fs.StringVar(&cfg.display, "display", "", "the front panel's display: none, term (this terminal), ssd1306-i2c:I2C1?addr=0x3c,\n"+
		"ssd1306-spi:SPI0.0?dc=GPIO24, st7567:SPI0.0?dc=GPIO24&rst=GPIO25, hd44780:I2C1?addr=0x27&size=16x2 or\n"+
		"aip31068:I2C1?size=16x2 (default none, term with -demo)")
	fs.Func("keys", "the front panel's keys (repeat for more): buttons:?ok=GPIO13&up=GPIO5&… or\n"+
		"matrix:?rows=GPIO1,GPIO2&cols=GPIO3,GPIO4&keys=1,2;3,4 (matrix:I2C1?expander=pcf8574&addr=0x20&rows=0,1&cols=2,3&…)", func(s string) error {
		k, err := parseKeys(s)
		cfg.panel.keys = append(cfg.panel.keys, k)
		return err
	})
	fs.StringVar(&cfg.panel.led, "led", "", "GPIO pin of the status LED (lit High)")
	fs.StringVar(&cfg.panel.buzzer, "buzzer", "", "GPIO pin of the buzzer (sounds High)")
	fs.StringVar(&cfg.web, "web", "", "the admin's web pages' listen address, or off (default "+boardWeb+" over HTTPS,\n"+
		demoWeb+" with -demo; plain HTTP only on loopback)")
	fs.BoolVar(&cfg.verbose, "v", false, "debug logging")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: scanmaild [flags]            run the daemon\n%s\n\nflags:\n", cli.Usage())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.display == "" {
		cfg.display = displayNone
		if cfg.demo {
			cfg.display = displayTerm
		}
	}
	var err error
	if cfg.panel.display, err = parseDisplay(cfg.display); err != nil {
		fmt.Fprintf(os.Stderr, "scanmaild: %v\n", err)
		return 2
	}
	if cfg.web == "" {
		cfg.web, cfg.webDefault = boardWeb, true
		if cfg.demo {
			cfg.web = demoWeb
		}
	}
	if cfg.db == "" {
		cfg.db = boardDB
		if cfg.demo {
			cfg.db = "scanmail.db"
		}
	}
	// Absolute paths: the status and the log name files someone can find.
	for _, p := range []*string{&cfg.db, &cfg.socket, &cfg.spool, &cfg.mailDir} {
		if *p != "" {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	if cfg.socket == "" {
		cfg.socket = filepath.Join(filepath.Dir(cfg.db), apitype.SocketName)
	}
	if cfg.spool == "" {
		cfg.spool = filepath.Join(filepath.Dir(cfg.db), "spool")
	}

	if fs.NArg() > 0 {
		if !cli.IsCommand(fs.Arg(0)) {
			fs.Usage()
			return 2
		}
		c := &cli.Context{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Client: &localclient.Client{Socket: cfg.socket}}
		return cli.Run(ctx, c, fs.Args())
	}
	if err := runDaemon(ctx, cfg); err != nil {
		fmt.Fprintf(os.Stderr, "scanmaild: %v\n", err)
		return 1
	}
	return 0
}
