import schema from '../../schema/serverless.schema.json' with { type: 'json' };
/**
 * AWS regions socket-action can deploy to: commercial, GovCloud and China. The list is the schema's (`regions`), so
 * editors and the loader agree; update it there when AWS launches a region.
 */
export const AWS_REGIONS = schema.definitions.regions.enum;
