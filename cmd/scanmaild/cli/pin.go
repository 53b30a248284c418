package cli

import (
	"context"

	"scanmail/device/localclient"
)

// pinCommand shows, sets or resets the admin PIN that guards the panel's
// admin screens.
var pinCommand = secretCommand{
	name: "pin", noun: "PIN", rule: "4 to 12 digits",
	notSet:    "the first admin at the panel sets it",
	setDone:   "admin PIN set",
	resetDone: "admin PIN removed: the panel's admin screens are open until one is set again",
	status: func(ctx context.Context, c *localclient.Client) (any, secretState, error) {
		st, err := c.PIN(ctx)
		return st, secretState{st.Set, st.Failures, st.RetryAt}, err
	},
	set: func(ctx context.Context, c *localclient.Client, old, new string) error {
		_, err := c.SetPIN(ctx, old, new)
		return err
	},
	reset: func(ctx context.Context, c *localclient.Client) error {
		_, err := c.ResetPIN(ctx)
		return err
	},
}
