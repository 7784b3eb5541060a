/// The attention page's files, embedded in the binary at build time from `Resources/` (SwiftPM `embedInCode`):
/// markup, script and style sheet, kept as real `.html`/`.js`/`.css` files so editors and linters read them.
///
/// The markup has no inline script or style, so the page runs under a strict Content-Security-Policy.
enum PageAssets {
    /// `GET /`: the page.
    static let index = PageAsset(path: "/", contentType: "text/html; charset=utf-8", bytes: PackageResources.index_html)
    /// `GET /app.js`: the page's script.
    static let script = PageAsset(
        path: "/app.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.app_js)
    /// `GET /app.css`: the page's style sheet.
    static let style = PageAsset(
        path: "/app.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.app_css)
    /// Every asset, in route order.
    static let all: [PageAsset] = [index, script, style]

    /// Same-origin only: no inline script or style, no CDN, no plugins, no framing.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "connect-src 'self'", "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")
}
