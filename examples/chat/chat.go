package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"
)

// Sender posts to a connection; *wsapi.Client is one.
type Sender interface {
	Send(ctx context.Context, connectionID string, data []byte) error
}

// Chat is one chat room: who is connected and under what nickname. It
// keeps them in memory, which is right for gochalice local (one process);
// a deployed chat keeps them in a table (see README.md).
type Chat struct {
	// sender returns the client that reaches the connections of ev's API.
	sender func(ev events.APIGatewayWebsocketProxyRequest) Sender

	mu    sync.Mutex
	nicks map[string]string // connection id -> nickname
}

// NewChat returns an empty room.
func NewChat(sender func(events.APIGatewayWebsocketProxyRequest) Sender) *Chat {
	return &Chat{sender: sender, nicks: map[string]string{}}
}

func ok() events.APIGatewayProxyResponse { return events.APIGatewayProxyResponse{StatusCode: 200} }

// Connect admits a connection as "guest-N" until it picks a nickname.
func (c *Chat) Connect(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nicks[ev.RequestContext.ConnectionID] = fmt.Sprintf("guest-%d", len(c.nicks)+1)
	return ok(), nil
}

// Disconnect forgets the connection and tells the others.
func (c *Chat) Disconnect(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	c.mu.Lock()
	nick, known := c.nicks[ev.RequestContext.ConnectionID]
	delete(c.nicks, ev.RequestContext.ConnectionID)
	c.mu.Unlock()
	if known {
		c.broadcast(ctx, ev, "* "+nick+" left")
	}
	return ok(), nil
}

// Message handles "/nick NAME", "/who", and anything else, which goes to
// everyone as "nick: text".
func (c *Chat) Message(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	id := ev.RequestContext.ConnectionID
	text := strings.TrimSpace(ev.Body)
	c.mu.Lock()
	nick := c.nicks[id]
	c.mu.Unlock()
	switch {
	case text == "":
		return ok(), nil
	case text == "/nick" || strings.HasPrefix(text, "/nick "):
		name := strings.TrimSpace(strings.TrimPrefix(text, "/nick"))
		if name == "" || len(name) > 32 {
			return ok(), c.sender(ev).Send(ctx, id, []byte("! a nickname is 1-32 characters"))
		}
		c.mu.Lock()
		c.nicks[id] = name
		c.mu.Unlock()
		c.broadcast(ctx, ev, "* "+nick+" is now "+name)
	case text == "/who":
		c.mu.Lock()
		var names []string
		for _, n := range c.nicks {
			names = append(names, n)
		}
		c.mu.Unlock()
		sort.Strings(names)
		return ok(), c.sender(ev).Send(ctx, id, []byte("* here: "+strings.Join(names, ", ")))
	default:
		c.broadcast(ctx, ev, nick+": "+text)
	}
	return ok(), nil
}

// broadcast sends msg to every connection; one that is gone is forgotten.
func (c *Chat) broadcast(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, msg string) {
	c.mu.Lock()
	ids := make([]string, 0, len(c.nicks))
	for id := range c.nicks {
		ids = append(ids, id)
	}
	c.mu.Unlock()
	sort.Strings(ids)
	s := c.sender(ev)
	for _, id := range ids {
		if err := s.Send(ctx, id, []byte(msg)); err != nil {
			c.mu.Lock()
			delete(c.nicks, id)
			c.mu.Unlock()
		}
	}
}
