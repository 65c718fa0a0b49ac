# The production image: gunicorn serving the app, whitenoise serving static files.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
# Pango and fonts for the server-made PDF reports (WeasyPrint): DejaVu, and IPAex Gothic
# for Japanese; GNU gettext to compile the translation catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    fonts-ipaexfont-gothic gettext \
 && rm -rf /var/lib/apt/lists/*
RUN pip install -r requirements.txt

COPY . .
# Collecting static files and compiling the translation catalogues (locale/*.po to .mo,
# which are not committed) need settings, hence a throw-away key made at build time.
RUN export DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
 && python manage.py collectstatic --noinput --verbosity 0 \
 && python manage.py compilemessages --ignore '.venv/*' --verbosity 0 \
 && useradd --system --no-create-home --uid 10001 itpp \
 && mkdir -p /app/media && chown itpp /app/media && chmod 700 /app/media
# Attachments (DJANGO_MEDIA_ROOT); docker-compose.yml mounts a volume here.
VOLUME /app/media

USER itpp
EXPOSE 8000
CMD ["gunicorn", "itpp.wsgi"]
