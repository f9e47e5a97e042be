package deployer_test

import (
	"github.com/gochalice/gochalice/deployer"
	"github.com/gochalice/gochalice/deployer/fakeaws"
)

// allClients returns every service of the fake account, the event
// sources' included.
func allClients(c *fakeaws.Cloud) *deployer.Clients {
	cl := clients(c)
	cl.EventBridge, cl.SNS, cl.S3 = c.EventBridge(), c.SNS(), c.S3()
	return cl
}
