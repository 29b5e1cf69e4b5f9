import { type ArReference, arRepositoryResourceName } from '@ar/image-ref';
import type { RestClient } from './rest.js';

/** One image version: the columns of `gcloud artifacts docker images list --include-tags`. */
export interface ImageSummary {
  /** `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE`. */
  image: string;
  digest: string;
  tags: string[];
  createTime: string | undefined;
  updateTime: string | undefined;
  sizeBytes: number | undefined;
  mediaType: string | undefined;
}

interface DockerImage {
  uri: string;
  tags?: string[];
  imageSizeBytes?: string;
  uploadTime?: string;
  updateTime?: string;
  buildTime?: string;
  mediaType?: string;
}

export function imagesApi(rest: RestClient) {
  return {
    /** The images of a repository, or the versions of one image when the reference names it. */
    async list(reference: ArReference, options: { limit?: number } = {}): Promise<ImageSummary[]> {
      const wanted = reference.kind === 'image' ? reference.image : undefined;
      const all = await rest.listAll<DockerImage>(
        `${arRepositoryResourceName(reference)}/dockerImages`,
        'dockerImages',
        wanted ? Number.POSITIVE_INFINITY : options.limit,
        { orderBy: 'update_time desc' },
      );
      const rows = all.map(toSummary).filter((row) => !wanted || row.image.endsWith(`/${wanted}`));
      return options.limit === undefined ? rows : rows.slice(0, options.limit);
    },
  };
}

function toSummary(image: DockerImage): ImageSummary {
  const at = image.uri.lastIndexOf('@');
  return {
    image: image.uri.slice(0, at),
    digest: image.uri.slice(at + 1),
    tags: image.tags ?? [],
    createTime: image.uploadTime,
    updateTime: image.updateTime,
    sizeBytes: image.imageSizeBytes === undefined ? undefined : Number(image.imageSizeBytes),
    mediaType: image.mediaType,
  };
}
