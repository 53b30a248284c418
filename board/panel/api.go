// Package panel is the front panel's screens: one state machine, apart from
// any display or wiring, driven by the keys, by the device's change feed
// (the local API's watch stream) and by the answers of the local API calls
// it asks for. It shows board/screen Screens, sets the status LED and asks
// for beeps. It never reads the state file: the local API is its only
// contract with the device, as for the command line and the web pages.
//
// Machine is the state machine itself: no goroutine and no clock of its
// own, so that every transition can be tested step by step. Run drives one
// against a running daemon; cmd/ gives it the hardware it opened:
//
//	show := func(s screen.Screen) { display.Draw(screen.Draw(s)) }
//	err := panel.Run(ctx, &localclient.Client{Socket: sock}, keys,
//		panel.Output{Show: show, LED: led, Buzzer: buzzer}, panel.RunOptions{})
package panel

import (
	"context"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// API is what the panel asks of the device: the local API's calls, with
// localclient.Client's signatures, so that a *localclient.Client is one.
type API interface {
	Watch(ctx context.Context, each func(apitype.Notify)) error
	Config(ctx context.Context) (apitype.Config, error)
	Book(ctx context.Context, q string, limit int) (apitype.BookList, error)
	Jobs(ctx context.Context, limit int) ([]apitype.Job, error)
	Job(ctx context.Context, id uint64) (apitype.Job, error)
	QuickSets(ctx context.Context) (apitype.QuickSetList, error)
	Scan(ctx context.Context, req apitype.ScanRequest, each func(apitype.JobEvent)) (apitype.Job, error)
	MorePages(ctx context.Context, id uint64, more bool) (apitype.Job, error)
	CancelJob(ctx context.Context, id uint64) (apitype.Job, error)
	SignIn(ctx context.Context, req apitype.SignInRequest, each func(apitype.SignIn)) (apitype.SignIn, error)
	CancelSignIn(ctx context.Context) (apitype.SignIn, error)
	SignOut(ctx context.Context) (apitype.Status, error)
	PIN(ctx context.Context) (apitype.PINState, error)
	CheckPIN(ctx context.Context, pin string) (apitype.PINState, error)
	SetPIN(ctx context.Context, old, new string) (apitype.PINState, error)
	AckAlert(ctx context.Context, kind string) (apitype.Status, error)
}

var _ API = (*localclient.Client)(nil)
