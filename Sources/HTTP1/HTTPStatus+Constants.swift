extension HTTPStatus {
    /// 100 Continue
    public static let `continue` = HTTPStatus(code: 100)
    /// 101 Switching Protocols
    public static let switchingProtocols = HTTPStatus(code: 101)
    /// 200 OK
    public static let ok = HTTPStatus(code: 200)
    /// 201 Created
    public static let created = HTTPStatus(code: 201)
    /// 202 Accepted
    public static let accepted = HTTPStatus(code: 202)
    /// 204 No Content
    public static let noContent = HTTPStatus(code: 204)
    /// 206 Partial Content
    public static let partialContent = HTTPStatus(code: 206)
    /// 301 Moved Permanently
    public static let movedPermanently = HTTPStatus(code: 301)
    /// 302 Found
    public static let found = HTTPStatus(code: 302)
    /// 303 See Other
    public static let seeOther = HTTPStatus(code: 303)
    /// 304 Not Modified
    public static let notModified = HTTPStatus(code: 304)
    /// 307 Temporary Redirect
    public static let temporaryRedirect = HTTPStatus(code: 307)
    /// 308 Permanent Redirect
    public static let permanentRedirect = HTTPStatus(code: 308)
    /// 400 Bad Request
    public static let badRequest = HTTPStatus(code: 400)
    /// 401 Unauthorized
    public static let unauthorized = HTTPStatus(code: 401)
    /// 403 Forbidden
    public static let forbidden = HTTPStatus(code: 403)
    /// 404 Not Found
    public static let notFound = HTTPStatus(code: 404)
    /// 405 Method Not Allowed
    public static let methodNotAllowed = HTTPStatus(code: 405)
    /// 406 Not Acceptable
    public static let notAcceptable = HTTPStatus(code: 406)
    /// 408 Request Timeout
    public static let requestTimeout = HTTPStatus(code: 408)
    /// 409 Conflict
    public static let conflict = HTTPStatus(code: 409)
    /// 410 Gone
    public static let gone = HTTPStatus(code: 410)
    /// 411 Length Required
    public static let lengthRequired = HTTPStatus(code: 411)
    /// 412 Precondition Failed
    public static let preconditionFailed = HTTPStatus(code: 412)
    /// 413 Content Too Large
    public static let payloadTooLarge = HTTPStatus(code: 413)
    /// 413 Content Too Large (RFC 9110 name)
    public static let contentTooLarge = HTTPStatus(code: 413)
    /// 414 URI Too Long
    public static let uriTooLong = HTTPStatus(code: 414)
    /// 415 Unsupported Media Type
    public static let unsupportedMediaType = HTTPStatus(code: 415)
    /// 417 Expectation Failed
    public static let expectationFailed = HTTPStatus(code: 417)
    /// 422 Unprocessable Content
    public static let unprocessableContent = HTTPStatus(code: 422)
    /// 426 Upgrade Required
    public static let upgradeRequired = HTTPStatus(code: 426)
    /// 429 Too Many Requests
    public static let tooManyRequests = HTTPStatus(code: 429)
    /// 431 Request Header Fields Too Large
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431)
    /// 500 Internal Server Error
    public static let internalServerError = HTTPStatus(code: 500)
    /// 501 Not Implemented
    public static let notImplemented = HTTPStatus(code: 501)
    /// 502 Bad Gateway
    public static let badGateway = HTTPStatus(code: 502)
    /// 503 Service Unavailable
    public static let serviceUnavailable = HTTPStatus(code: 503)
    /// 504 Gateway Timeout
    public static let gatewayTimeout = HTTPStatus(code: 504)
    /// 505 HTTP Version Not Supported
    public static let httpVersionNotSupported = HTTPStatus(code: 505)
}
