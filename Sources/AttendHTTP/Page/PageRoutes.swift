import HTTP1
import HTTPServer

/// The attention page's routes: `GET /` (the page), `GET /app.js` and `GET /app.css`.
///
/// The page calls `GET /models` and `POST /attend` (with `"analysis": true`) on the same origin; it needs no
/// other route and no network access beyond this service.
public enum PageRoutes {
    /// The page's paths. They carry no data, so a service with API keys should keep them public (the page asks
    /// for the key and sends it as `Authorization: Bearer` on its `/models` and `/attend` calls).
    public static let paths: Set<String> = Set(PageAssets.all.map(\.path))

    /// Adds `GET /`, `GET /app.js` and `GET /app.css` to `router`.
    public static func register(on router: inout Router) {
        for asset in PageAssets.all {
            router.add(.GET, asset.path) { request, _ in asset.response(for: request) }
        }
    }
}
