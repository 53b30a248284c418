package localclient

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// AckAlert acknowledges the alert of that kind: the panel and the web
// pages stop showing it. It returns the status after.
func (c *Client) AckAlert(ctx context.Context, kind string) (apitype.Status, error) {
	var st apitype.Status
	return st, c.call(ctx, http.MethodPost, "alerts/ack", apitype.AlertAck{Kind: kind}, &st)
}

// RelayCert describes the client certificate presented to a connector.
func (c *Client) RelayCert(ctx context.Context) (apitype.RelayCert, error) {
	var rc apitype.RelayCert
	return rc, c.call(ctx, http.MethodGet, "relay/cert", nil, &rc)
}

// InstallRelayCert checks and installs the client certificate and key
// presented to a connector.
func (c *Client) InstallRelayCert(ctx context.Context, req apitype.RelayCertInstall) (apitype.RelayCert, error) {
	var rc apitype.RelayCert
	return rc, c.call(ctx, http.MethodPost, "relay/cert/install", req, &rc)
}

// RemoveRelayCert removes the connector's client certificate and key.
func (c *Client) RemoveRelayCert(ctx context.Context) (apitype.RelayCert, error) {
	var rc apitype.RelayCert
	return rc, c.call(ctx, http.MethodPost, "relay/cert/remove", nil, &rc)
}
