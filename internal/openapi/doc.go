// Package openapi writes the OpenAPI documents API Gateway imports for an
// app's routes: Swagger 2.0 for a REST API (REST) and OpenAPI 3.0 for an
// HTTP API (HTTP), each with the aws_proxy integrations to the API
// handler, the authorizers, CORS and the API-key requirement; and checks
// beforehand what an API of either type cannot do (Problems). The
// documents are deterministic JSON.
package openapi
