FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY core core
COPY chatcart chatcart
COPY commerce commerce
COPY nlu nlu
COPY dialogs dialogs
COPY bot bot
COPY admin_web admin_web
RUN pip install --no-cache-dir . && useradd --create-home chatcart && mkdir -p /app/var && chown chatcart /app/var
USER chatcart
EXPOSE 8080
CMD ["chatcart", "serve", "--host", "0.0.0.0", "--no-worker"]
