/**
 * Roboflow Serverless Hosted API. Roboflow bills credits by processing time with a 100 ms minimum
 * (0.0002 credits per call); a warm call on these small models bills the minimum, priced at $4 per credit.
 */
import { perRequest } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { PRICING_PAGES } from './sources.ts';

const PER_CALL = 0.0008;

const base = {
  provider: 'roboflow',
  ownedBy: 'roboflow',
  pricingSource: PRICING_PAGES.roboflow,
  priceVerified: false,
  note: 'Credit formula from Roboflow docs; credits are listed at $3 or $4 depending on the page, $4 is used. Cold starts bill more.',
} as const;

export const ROBOFLOW_MODELS: readonly CuratedModel[] = [
  {
    ...base,
    modelId: 'rfdetr-small',
    upstreamModelId: 'coco/39',
    name: 'RF-DETR Small (COCO)',
    family: 'rf-detr',
    description: 'Real-time transformer object detector trained on COCO (80 classes), 560x560 input.',
    createdAt: '2025-03-20',
    operations: [op('object-detection', perRequest(PER_CALL))],
  },
  {
    ...base,
    modelId: 'yolov11n-640',
    upstreamModelId: 'coco/25',
    name: 'YOLO11n 640 (COCO)',
    family: 'yolo11',
    description: 'Nano YOLO11 object detector trained on COCO, 640x640 input.',
    createdAt: '2024-09-30',
    operations: [op('object-detection', perRequest(PER_CALL))],
  },
  {
    ...base,
    modelId: 'yolov8n-640',
    upstreamModelId: 'coco/3',
    name: 'YOLOv8n 640 (COCO)',
    family: 'yolov8',
    description: 'Nano YOLOv8 object detector trained on COCO, 640x640 input.',
    createdAt: '2023-01-10',
    operations: [op('object-detection', perRequest(PER_CALL))],
    curated: false,
  },
  {
    ...base,
    modelId: 'clip-vit-b-16',
    upstreamModelId: 'clip/ViT-B-16',
    name: 'CLIP ViT-B/16 zero-shot classifier',
    family: 'clip',
    ownedBy: 'openai',
    description: 'Zero-shot image classification against caller-supplied labels through Roboflow\'s hosted CLIP.',
    operations: [op('image-classification', perRequest(PER_CALL), { sourceTypes: ['image', 'text'], input: ['image', 'text'] })],
    params: { labels: { type: 'array', description: 'Candidate class names to score the image against.' } },
  },
];
