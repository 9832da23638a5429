// What transparent pixels become, wherever an image is flattened to RGB: the thumbnails,
// the engine's decoding, the viewer's "as the model sees it". One value, so the network
// sees a transparent area exactly as the user saw it in the grid (a black outline on
// black would vanish for the model while it stands out on screen).
export const IMAGE_BACKGROUND = '#ffffff';
