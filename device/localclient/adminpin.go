package localclient

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// ResetPIN removes the admin PIN and the count of wrong tries, for an
// admin who forgot it. The socket is root's: this is the recovery path.
func (c *Client) ResetPIN(ctx context.Context) (apitype.PINState, error) {
	var st apitype.PINState
	return st, c.call(ctx, http.MethodPost, "admin/pin/reset", nil, &st)
}
