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
// instead: the contract with the deployer. With GOCHALICE_INVOKE=name it
// runs that one function on the JSON event read from standard input and
// prints the response (gochalice invoke --local). Anywhere else it serves
// the routes on 127.0.0.1:8000.
//
// Routes use http.ServeMux patterns limited to what API Gateway can route
// too, so local routing and Lambda routing agree. Errors follow Chalice:
// return an *Error (NotFound, BadRequest, ...) through WriteError and the
// client gets {"Code": "NotFoundError", "Message": "..."}; a panicking
// handler answers 500 and the process keeps serving.
//
// # Event sources
//
// Each event handler is its own Lambda function, with a typed handler
// taking the aws-lambda-go events type, and options (EventOption) checked
// at registration:
//
//	a.Schedule("nightly", "cron(0 3 * * ? *)", h)               // EventBridge schedule
//	a.OnEvent("on_stop", pattern, h, app.WithBus("ops"))         // EventBridge event pattern
//	a.OnSQSMessage("worker", "jobs", h, app.WithBatchSize(10))   // SQS (pull)
//	a.OnSNSMessage("alerts", topicARN, h)                        // SNS (push)
//	a.OnS3Event("photos", "uploads", h, app.WithPrefix("img/"))  // S3 notifications (push)
//	a.OnKinesisRecord("clicks", "clickstream", h)                // Kinesis (pull)
//	a.OnDynamoDBRecord("changes", "donors", h)                   // DynamoDB streams (pull)
//
// Queues, topics, buckets and streams are given by name (in the deploy's
// account and region) or by ARN; a name may be empty while running locally
// or in tests, when it comes from an environment variable only the stage
// sets. OnSQSBatch, OnKinesisBatch and OnDynamoDBBatch take handlers that
// return a partial batch response, so only the failed records are
// retried. Asynchronous sources (schedules, EventBridge, SNS, S3) and
// streams take a failure destination (WithOnFailure with SQSDestination or
// SNSDestination) and retry limits; SQS sources use the queue's redrive
// policy instead. An option given to a method it does not apply to panics
// at registration, naming the option and the method.
//
// # Authorizers
//
// Routes are protected with WithAuthorizer: IAMAuthorizer (SigV4-signed
// requests), CognitoAuthorizer (user pool tokens, with OAuth scopes per
// route), or a custom Lambda authorizer registered with TokenAuthorizer or
// RequestAuthorizer, which is its own function. WithAPIKey requires an API
// key. Defaults sets route options for every route (an authorizer, CORS,
// an API key, ...), which WithoutAuthorizer and WithoutAPIKey lift for a
// route. A custom authorizer refuses a bad token by returning
// ErrUnauthorized and a valid caller with a Deny policy; its principal id
// and context reach the route's handler through Context and the API
// Gateway event.
//
// # Local mode
//
// Serve (gochalice local) and package apptest stand in for API Gateway in
// front of the routes, with one implementation they share (the module's
// internal/apigw package). A request no route takes never reaches the app:
// as a REST API (what gochalice deploys) it gets 403 {"message":"Missing
// Authentication Token"}, for an unknown path and for a method its
// resource does not have; apptest.WithHTTPAPI answers as an HTTP API, 404
// {"message":"Not Found"}. Authorizers run before the route, as API
// Gateway runs them, with the answers API Gateway gives:
//
//   - Custom authorizers run for real, with the event API Gateway would
//     send (TOKEN: the identity header's value and the method ARN
//     arn:aws:execute-api:us-east-1:123456789012:local/STAGE/METHOD/PATH;
//     REQUEST: the request's headers, query string and path parameters).
//     A missing token (TOKEN), or a missing identity source when caching
//     is on (REQUEST), is refused without calling the authorizer.
//     ErrUnauthorized answers 401 {"message":"Unauthorized"}; a policy
//     that denies execute-api:Invoke on the method ARN answers 403
//     {"Message":"User is not authorized to access this resource with an
//     explicit deny"}, one that does not allow it 403 {"Message":"User is
//     not authorized to access this resource"}; any other error, a panic,
//     an empty principal id or a context value that is not a string,
//     number or boolean answers 500 {"message":null}. Answers are not
//     cached: the authorizer runs for every request.
//   - IAM routes need an Authorization header starting "AWS4-HMAC-SHA256"
//     (otherwise 403 {"message":"Missing Authentication Token"}); the
//     signature is not checked. The caller is GOCHALICE_LOCAL_IAM_ARN,
//     default manifest.DefaultLocalIAMARN
//     (arn:aws:iam::123456789012:user/local), seen as Context(r).UserARN.
//   - Cognito routes need "Authorization: Bearer <JWT>" (or the bare
//     token). Its claims are decoded WITHOUT verifying the signature or
//     the issuer — local mode only; on AWS, API Gateway verifies tokens.
//     An expired token ("exp") is refused, and so is one whose "aud" (or,
//     without "aud", "client_id") is not among WithAudience's client IDs
//     (when given). A
//     route's scopes need one of them in the token's "scope" claim. The
//     claims reach the handler as Context(r).Claims.
//   - API-key routes need a non-empty x-api-key header (otherwise 403
//     {"message":"Forbidden"}); any key is accepted.
//
// The CORS preflight (OPTIONS) of a path is never authorized.
//
// This package links into users' Lambda binaries, so it depends only on the
// standard library and github.com/aws/aws-lambda-go.
package app
