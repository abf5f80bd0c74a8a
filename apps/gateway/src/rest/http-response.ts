/** The part of Express's response the gateway uses (express has no types installed here). */
export interface HttpResponse {
  status(code: number): HttpResponse;
  type(contentType: string): HttpResponse;
  json(body: unknown): void;
  send(body: string): void;
}
