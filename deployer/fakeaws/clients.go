package fakeaws

import "github.com/gochalice/gochalice/deployer"

// Clients returns deployer clients that talk to the fake account.
func (c *Cloud) Clients() *deployer.Clients {
	return &deployer.Clients{
		IAM:        c.IAM(),
		Lambda:     c.Lambda(),
		APIGateway: c.APIGateway(),
		Logs:       c.Logs(),
		DynamoDB:   c.DynamoDB(),
		STS:        c.STS(),
	}
}
