import HTTPTypes
import Hummingbird

/// Answers 405 Method Not Allowed, with an `Allow` header, to a request for a known path with a
/// method that path does not take; the router by itself answers 404 as if the path did not exist.
/// `makeRouter` adds it after every route, so it wraps only the router's not-found responder.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods of each routed path ("/info": GET).
    let allowed: [String: [HTTPRequest.Method]]

    init(routes: [Router<Context>.RouteDescription]) {
        var allowed: [String: [HTTPRequest.Method]] = [:]
        for route in routes {
            let path = route.path.description
            allowed[path.hasPrefix("/") ? path : "/" + path, default: []].append(route.method)
        }
        self.allowed = allowed
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = allowed[request.uri.path], !methods.contains(request.method) else {
            return try await next(request, context)
        }
        let list = methods.map(\.rawValue).sorted().joined(separator: ", ")
        var response = APIError(.methodNotAllowed, "MethodNotAllowed", "\(request.method.rawValue) is not allowed on \(request.uri.path): use \(list)").response()
        response.headers[.allow] = list
        return response
    }
}
