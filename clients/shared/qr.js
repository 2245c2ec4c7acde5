// QR codes the server draws (the 鲁通码, a TV's sign-in link) shown as images.

/**
 * The server sends the QR code as inline SVG markup without an xmlns, which an <img> cannot show. Parsed in an
 * inert document and serialised again, the <svg> gets its namespace; as an image it can never run anything.
 * A data: URL because the portal's CSP allows images from 'self' and data: only.
 */
export function qrImageSource(svgMarkup) {
  const svg = new DOMParser().parseFromString(svgMarkup, "text/html").querySelector("svg");
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
}
