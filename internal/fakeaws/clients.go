package fakeaws

import "github.com/gochalice/gochalice/internal/deployer"

// Clients returns deployer clients that talk to the fake account.
func (c *Cloud) Clients() *deployer.Clients {
	return &deployer.Clients{
		IAM:          c.IAM(),
		Lambda:       c.Lambda(),
		APIGateway:   c.APIGateway(),
		HTTPAPI:      c.HTTPAPI(),
		WebSocketAPI: c.HTTPAPI(),
		EventBridge:  c.EventBridge(),
		SNS:          c.SNS(),
		S3:           c.S3(),
		Logs:         c.Logs(),
		DynamoDB:     c.DynamoDB(),
		STS:          c.STS(),
		Domains:      c.APIGateway(),
		HTTPDomains:  c.HTTPAPI(),
	}
}
