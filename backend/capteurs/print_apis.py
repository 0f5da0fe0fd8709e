"""QR codes, posters and sticker sheets of a referral code (being written)."""

from rest_framework.views import APIView


class CodeQrSvgApi(APIView):
    pass


class CodeQrPngApi(APIView):
    pass


class CodePosterApi(APIView):
    pass


class CodeStickersApi(APIView):
    pass
