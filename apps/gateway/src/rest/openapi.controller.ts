import { Access } from '../auth/access.decorator';
import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';

/** Holds the OpenAPI document, generated from the controllers once the app is built. */
export class OpenApiDocument {
  document: OpenAPIObject | undefined;
}

@ApiExcludeController()
@Access('public')
@Controller('api/v1')
export class OpenApiController {
  constructor(private readonly holder: OpenApiDocument) {}

  @Get('openapi.json')
  openapi(): OpenAPIObject | Record<string, never> {
    return this.holder.document ?? {};
  }
}
