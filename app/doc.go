// Package app is the library a gochalice program imports: it registers the
// program's HTTP routes (plain net/http handlers) and event handlers, and
// Run serves them the same way on a laptop and on AWS Lambda.
//
//	a := app.New("savealife")
//	a.Route("GET /donors/{id}", getDonor)
//	a.OnDynamoDBRecord("handle_stream", os.Getenv("STREAM_ARN"), handleStream)
//	a.Run()
//
// One binary serves every Lambda function of the app: the deployer sets
// GOCHALICE_HANDLER to the function's name, and Run serves that function;
// the API handler ("api_handler") serves every route. Asked with
// GOCHALICE_MANIFEST, the binary prints its manifest (package manifest)
// instead: the contract with the deployer. Anywhere else it serves the
// routes on 127.0.0.1:8000.
//
// Routes use http.ServeMux patterns limited to what API Gateway can route
// too, so local routing and Lambda routing agree. Errors follow Chalice:
// return an *Error (NotFound, BadRequest, ...) through WriteError and the
// client gets {"Code": "NotFoundError", "Message": "..."}; a panicking
// handler answers 500 and the process keeps serving.
//
// This package links into users' Lambda binaries, so it depends only on the
// standard library and github.com/aws/aws-lambda-go.
package app
