"""HTTP and websocket routes, one module per area, each an APIRouter."""
